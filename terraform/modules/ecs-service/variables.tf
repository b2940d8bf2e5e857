variable "name" {
  description = "Name of the ECS service, its task family, container and companions (lowercase letters, digits and hyphens, 2-28 characters, starting with a letter)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,26}[a-z0-9]$", var.name))
    error_message = "name must be 2-28 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen (var.name)."
  }
}

variable "create_cluster" {
  description = "Create the ECS cluster cluster_name (Container Insights on). One service of an environment creates it; the others pass false and the same cluster_name."
  type        = bool
  default     = false
}

variable "cluster_name" {
  description = "Name of the ECS cluster the service runs in (created here when create_cluster is true)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.cluster_name))
    error_message = "cluster_name must be 1-255 letters, digits, hyphens or underscores (var.cluster_name)."
  }
}

variable "image" {
  description = "Container image with an explicit tag or digest (repository:tag or repository@sha256:...); latest is refused, so a deploy is always a known version."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/:-]*[a-z0-9](:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must name a tag or digest, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/tweets-api:1.4.2, and not :latest (var.image)."
  }
}

variable "cpu" {
  description = "CPU units of the task: 256, 512, 1024, 2048 or 4096 (1024 = one vCPU)."
  type        = number
  default     = 256

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu)
    error_message = "cpu must be one of the Fargate sizes 256, 512, 1024, 2048 or 4096 (var.cpu)."
  }
}

variable "memory" {
  description = "Memory of the task in MiB, a size Fargate offers for the cpu chosen: 256 -> 512/1024/2048; 512 -> 1024-4096; 1024 -> 2048-8192; 2048 -> 4096-16384; 4096 -> 8192-30720 (steps of 1024)."
  type        = number
  default     = 512

  validation {
    condition = (
      var.cpu == 256 ? contains([512, 1024, 2048], var.memory) :
      var.cpu == 512 ? var.memory >= 1024 && var.memory <= 4096 && var.memory % 1024 == 0 :
      var.cpu == 1024 ? var.memory >= 2048 && var.memory <= 8192 && var.memory % 1024 == 0 :
      var.cpu == 2048 ? var.memory >= 4096 && var.memory <= 16384 && var.memory % 1024 == 0 :
      var.cpu == 4096 ? var.memory >= 8192 && var.memory <= 30720 && var.memory % 1024 == 0 :
      false
    )
    error_message = "memory must be a Fargate size for the cpu chosen: 256 -> 512, 1024 or 2048; 512 -> 1024-4096; 1024 -> 2048-8192; 2048 -> 4096-16384; 4096 -> 8192-30720, in steps of 1024 (var.memory)."
  }
}

variable "cpu_architecture" {
  description = "CPU architecture the image is built for: X86_64 or ARM64 (Graviton, about 20% cheaper)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64 (var.cpu_architecture)."
  }
}

variable "user" {
  description = "uid:gid the container runs as; must not be root (the API image's user is 10001:10001, nginx's 101:101)."
  type        = string

  validation {
    condition     = can(regex("^[1-9][0-9]*:[1-9][0-9]*$", var.user))
    error_message = "user must be a numeric uid:gid other than root, such as 10001:10001 (var.user)."
  }
}

variable "container_port" {
  description = "Port the container serves HTTP on (the load balancer's target port)."
  type        = number

  validation {
    condition     = var.container_port >= 1024 && var.container_port <= 65535 && floor(var.container_port) == var.container_port
    error_message = "container_port must be a whole number from 1024 to 65535: a non-root container cannot bind lower ports (var.container_port)."
  }
}

variable "additional_container_ports" {
  description = "Further ports the container listens on, such as the API's metrics listener (METRICS_ADDR, 9100); reachable only where an ingress_rules entry allows."
  type        = list(number)
  default     = []

  validation {
    condition     = alltrue([for port in var.additional_container_ports : port >= 1024 && port <= 65535 && floor(port) == port && port != var.container_port])
    error_message = "additional_container_ports must be whole numbers from 1024 to 65535, other than container_port (var.additional_container_ports)."
  }
}

variable "environment" {
  description = "Plain environment variables of the container, name => value. Secrets go in secrets, never here."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.environment) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name))])
    error_message = "environment names must be letters, digits and underscores, not starting with a digit (var.environment)."
  }

  validation {
    condition     = length(setintersection(keys(var.environment), keys(var.secrets))) == 0
    error_message = "environment must not set a variable that secrets also sets (var.environment)."
  }
}

variable "secrets" {
  description = "Environment variables filled from Secrets Manager secrets (or SSM parameters) when the task starts, name => ARN; ECS reads them with the execution role."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for name in keys(var.secrets) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", name))])
    error_message = "secrets names must be letters, digits and underscores, not starting with a digit (var.secrets)."
  }

  validation {
    condition     = alltrue([for arn in values(var.secrets) : can(regex("^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+|ssm:[a-z0-9-]+:[0-9]{12}:parameter/.+)$", arn))])
    error_message = "secrets values must be Secrets Manager secret ARNs (arn:aws:secretsmanager:...:secret:...) or SSM parameter ARNs (var.secrets)."
  }
}

variable "secrets_kms_key_arns" {
  description = "KMS keys the secrets are encrypted with; the execution role may decrypt with them (through Secrets Manager or SSM only)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.secrets_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", arn))])
    error_message = "secrets_kms_key_arns entries must be KMS key ARNs (arn:aws:kms:REGION:ACCOUNT:key/ID) (var.secrets_kms_key_arns)."
  }
}

variable "ecr_repository_arns" {
  description = "ECR repositories the execution role may pull the image from; empty for images from a public registry."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.ecr_repository_arns : can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9._/-]+$", arn))])
    error_message = "ecr_repository_arns entries must be ECR repository ARNs (arn:aws:ecr:REGION:ACCOUNT:repository/NAME) (var.ecr_repository_arns)."
  }
}

variable "health_check_command" {
  description = "Container health check, as in a Dockerfile HEALTHCHECK: [\"CMD\", \"tweets\", \"healthcheck\"] or [\"CMD-SHELL\", \"...\"]."
  type        = list(string)

  validation {
    condition     = length(var.health_check_command) >= 2 && contains(["CMD", "CMD-SHELL"], var.health_check_command[0])
    error_message = "health_check_command must start with CMD or CMD-SHELL followed by the command (var.health_check_command)."
  }
}

variable "health_check_timing" {
  description = "Timing of the container health check, in seconds (ECS limits: interval 5-300, timeout 2-120, retries 1-10, start_period 0-300)."
  type = object({
    interval     = optional(number, 10)
    timeout      = optional(number, 5)
    retries      = optional(number, 3)
    start_period = optional(number, 30)
  })
  default = {}

  validation {
    condition = (
      var.health_check_timing.interval >= 5 && var.health_check_timing.interval <= 300 &&
      var.health_check_timing.timeout >= 2 && var.health_check_timing.timeout <= 120 &&
      var.health_check_timing.timeout < var.health_check_timing.interval &&
      var.health_check_timing.retries >= 1 && var.health_check_timing.retries <= 10 &&
      var.health_check_timing.start_period >= 0 && var.health_check_timing.start_period <= 300
    )
    error_message = "health_check_timing must have interval 5-300, timeout 2-120 and below interval, retries 1-10 and start_period 0-300 (var.health_check_timing)."
  }
}

variable "stop_timeout" {
  description = "Seconds between SIGTERM and SIGKILL when a task stops; longer than the app's own drain (the API's SHUTDOWN_TIMEOUT is 30s). Fargate allows up to 120."
  type        = number
  default     = 40

  validation {
    condition     = var.stop_timeout >= 2 && var.stop_timeout <= 120 && floor(var.stop_timeout) == var.stop_timeout
    error_message = "stop_timeout must be a whole number of seconds from 2 to 120 (var.stop_timeout)."
  }
}

variable "writable_paths" {
  description = "Directories that get a writable scratch volume (task ephemeral storage), since the root filesystem is read-only: /tmp, nginx's rendered config, and so on."
  type        = list(string)
  default     = ["/tmp"]

  validation {
    condition     = alltrue([for path in var.writable_paths : can(regex("^(/[A-Za-z0-9._-]+)+$", path))]) && length(distinct(var.writable_paths)) == length(var.writable_paths)
    error_message = "writable_paths must be distinct absolute paths such as /tmp, without a trailing slash (var.writable_paths)."
  }
}

variable "efs_volume" {
  description = "An EFS access point to mount (the media module's outputs), at container_path, read-only or not; null mounts none. TLS and IAM authorization (the task role) are always on."
  type = object({
    file_system_id  = string
    access_point_id = string
    container_path  = string
    read_only       = optional(bool, false)
  })
  default = null

  validation {
    condition = var.efs_volume == null || try(
      can(regex("^fs-[0-9a-f]{8,17}$", var.efs_volume.file_system_id)) &&
      can(regex("^fsap-[0-9a-f]{8,17}$", var.efs_volume.access_point_id)) &&
      can(regex("^(/[A-Za-z0-9._-]+)+$", var.efs_volume.container_path)),
      false
    )
    error_message = "efs_volume must be null or name a file system (fs-...), an access point (fsap-...) and an absolute container_path (var.efs_volume)."
  }
}

variable "task_role_policy_arns" {
  description = "IAM policies to attach to the task role (the application's identity), label => policy ARN, for example { media = module.media_s3.api_policy_arn }. Labels must be known at plan time."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for arn in values(var.task_role_policy_arns) : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "task_role_policy_arns values must be IAM policy ARNs (arn:aws:iam::ACCOUNT:policy/NAME) (var.task_role_policy_arns)."
  }
}

variable "log_group_name" {
  description = "CloudWatch Logs log group the container logs to (the observability module creates it, encrypted and with retention)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_./#-]{1,512}$", var.log_group_name))
    error_message = "log_group_name must be a log group name (A-Z a-z 0-9 _ - . / #) (var.log_group_name)."
  }
}

variable "vpc_id" {
  description = "ID of the VPC of the tasks' security group."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8}([0-9a-f]{9})?$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID such as vpc-0123456789abcdef0 (var.vpc_id)."
  }
}

variable "subnet_ids" {
  description = "Private subnets the tasks run in (no public address: they reach the internet through NAT)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8}([0-9a-f]{9})?$", id))])
    error_message = "subnet_ids must list at least one subnet ID (subnet-...) (var.subnet_ids)."
  }
}

variable "ingress_rules" {
  description = "Who may connect to the tasks: label => { port, security_group_id }, for example { alb = { port = 8080, security_group_id = sg-... } }. Labels must be known at plan time."
  type = map(object({
    port              = number
    security_group_id = string
  }))
  default = {}

  validation {
    condition     = alltrue([for rule in values(var.ingress_rules) : rule.port >= 1 && rule.port <= 65535 && can(regex("^sg-[0-9a-f]{8}([0-9a-f]{9})?$", rule.security_group_id))])
    error_message = "ingress_rules entries must have a port from 1 to 65535 and a security group ID (sg-...) (var.ingress_rules)."
  }
}

variable "egress_rules" {
  description = "Where the tasks may connect inside the VPC: label => { port, security_group_id }, for example { postgres = { port = 5432, security_group_id = sg-... } }."
  type = map(object({
    port              = number
    security_group_id = string
  }))
  default = {}

  validation {
    condition     = alltrue([for rule in values(var.egress_rules) : rule.port >= 1 && rule.port <= 65535 && can(regex("^sg-[0-9a-f]{8}([0-9a-f]{9})?$", rule.security_group_id))])
    error_message = "egress_rules entries must have a port from 1 to 65535 and a security group ID (sg-...) (var.egress_rules)."
  }
}

variable "allow_https_egress" {
  description = "Allow HTTPS (443) out to anywhere: ECR, Secrets Manager, CloudWatch Logs and (with MEDIA_STORE=s3) S3 through the NAT gateway. Turn off only with VPC endpoints for all of them."
  type        = bool
  default     = true
}

variable "load_balancer" {
  description = "The ALB target group to register the tasks in and its ALBRequestCountPerTarget resource_label (the alb module's target_group_arns and resource_labels), plus the requests per task to scale at; null for a service behind no load balancer."
  type = object({
    target_group_arn    = string
    resource_label      = string
    requests_per_target = optional(number, 1000)
  })
  default = null

  validation {
    condition = var.load_balancer == null || try(
      can(regex("^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/[A-Za-z0-9-]+/[0-9a-f]+$", var.load_balancer.target_group_arn)) &&
      can(regex("^app/[A-Za-z0-9-]+/[0-9a-f]+/targetgroup/[A-Za-z0-9-]+/[0-9a-f]+$", var.load_balancer.resource_label)) &&
      var.load_balancer.requests_per_target >= 1 && var.load_balancer.requests_per_target <= 100000,
      false
    )
    error_message = "load_balancer must be null or have a target group ARN, a resource_label app/LB/ID/targetgroup/TG/ID and requests_per_target from 1 to 100000 (var.load_balancer)."
  }
}

variable "health_check_grace_period_seconds" {
  description = "Seconds after a task starts during which failed load balancer health checks do not count (migrations run at the API's start)."
  type        = number
  default     = 60

  validation {
    condition     = var.health_check_grace_period_seconds >= 0 && var.health_check_grace_period_seconds <= 3600 && floor(var.health_check_grace_period_seconds) == var.health_check_grace_period_seconds
    error_message = "health_check_grace_period_seconds must be a whole number from 0 to 3600 (var.health_check_grace_period_seconds)."
  }
}

variable "service_discovery" {
  description = "Register the tasks in a Cloud Map private DNS namespace (the vpc module's service_discovery_namespace_id) as NAME.<namespace>; null registers nothing."
  type = object({
    namespace_id = string
  })
  default = null

  validation {
    condition     = var.service_discovery == null || try(can(regex("^ns-[a-z0-9]{16}$", var.service_discovery.namespace_id)), false)
    error_message = "service_discovery must be null or have a Cloud Map namespace ID (ns-...) (var.service_discovery)."
  }
}

variable "desired_count" {
  description = "Tasks to start with. Autoscaling owns the count afterwards (changes here are ignored once the service exists)."
  type        = number
  default     = 2

  validation {
    condition     = var.desired_count >= var.min_capacity && var.desired_count <= var.max_capacity && floor(var.desired_count) == var.desired_count
    error_message = "desired_count must be a whole number between min_capacity and max_capacity (var.desired_count)."
  }
}

variable "min_capacity" {
  description = "Fewest tasks autoscaling keeps; 2 or more keeps a task in each zone."
  type        = number
  default     = 2

  validation {
    condition     = var.min_capacity >= 1 && var.min_capacity <= 100 && floor(var.min_capacity) == var.min_capacity
    error_message = "min_capacity must be a whole number from 1 to 100 (var.min_capacity)."
  }
}

variable "max_capacity" {
  description = "Most tasks autoscaling may run (mind the database connections: tasks x DB_POOL_SIZE)."
  type        = number
  default     = 6

  validation {
    condition     = var.max_capacity >= var.min_capacity && var.max_capacity <= 100 && floor(var.max_capacity) == var.max_capacity
    error_message = "max_capacity must be a whole number from min_capacity to 100 (var.max_capacity)."
  }
}

variable "cpu_target_utilization" {
  description = "Average CPU percentage target tracking keeps the service at (ECSServiceAverageCPUUtilization)."
  type        = number
  default     = 60

  validation {
    condition     = var.cpu_target_utilization >= 10 && var.cpu_target_utilization <= 90
    error_message = "cpu_target_utilization must be between 10 and 90 percent (var.cpu_target_utilization)."
  }
}

variable "deployment_minimum_healthy_percent" {
  description = "Lowest share of desired_count kept running during a rolling deploy."
  type        = number
  default     = 100

  validation {
    condition     = var.deployment_minimum_healthy_percent >= 0 && var.deployment_minimum_healthy_percent <= 100
    error_message = "deployment_minimum_healthy_percent must be between 0 and 100 (var.deployment_minimum_healthy_percent)."
  }
}

variable "deployment_maximum_percent" {
  description = "Highest share of desired_count running during a rolling deploy (above 100 starts new tasks before stopping old ones)."
  type        = number
  default     = 200

  validation {
    condition     = var.deployment_maximum_percent >= 100 && var.deployment_maximum_percent <= 200 && var.deployment_maximum_percent > var.deployment_minimum_healthy_percent
    error_message = "deployment_maximum_percent must be between 100 and 200 and above deployment_minimum_healthy_percent (var.deployment_maximum_percent)."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags); the tasks get the service's tags."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")])
    error_message = "tags keys must be 1-128 characters and not start with aws:, values at most 256 characters (var.tags)."
  }
}
