variable "name" {
  description = "Name of the load balancer and prefix of its companions (lowercase letters, digits and hyphens, 2-20 characters, so that target group names stay within 32)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name))
    error_message = "name must be 2-20 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen (var.name)."
  }
}

variable "vpc_id" {
  description = "ID of the VPC of the load balancer and its target groups."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8}([0-9a-f]{9})?$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID such as vpc-0123456789abcdef0 (var.vpc_id)."
  }
}

variable "vpc_cidr_block" {
  description = "CIDR block of the VPC: the load balancer's only egress is to the targets' ports inside it."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr_block, 0))
    error_message = "vpc_cidr_block must be a valid IPv4 CIDR block (var.vpc_cidr_block)."
  }
}

variable "subnet_ids" {
  description = "Public subnets of the load balancer, in at least two availability zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8}([0-9a-f]{9})?$", id))])
    error_message = "subnet_ids must list at least two subnet IDs (subnet-...) in different availability zones (var.subnet_ids)."
  }
}

variable "certificate_arn" {
  description = "ARN of the ACM certificate of the HTTPS listener (issued, in the load balancer's region)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID) (var.certificate_arn)."
  }
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener: one of the TLS 1.3 policies (TLS 1.2 and 1.3, forward-secret ciphers only)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"

  validation {
    condition     = can(regex("^ELBSecurityPolicy-TLS13-1-[23]-", var.ssl_policy))
    error_message = "ssl_policy must be an ELBSecurityPolicy-TLS13-1-2-* or ELBSecurityPolicy-TLS13-1-3-* policy, such as ELBSecurityPolicy-TLS13-1-2-2021-06 (var.ssl_policy)."
  }
}

variable "hsts_header_value" {
  description = "Strict-Transport-Security header the HTTPS listener adds to every answer (at least a year, as browsers' preload lists ask)."
  type        = string
  default     = "max-age=31536000; includeSubDomains"

  validation {
    condition     = can(regex("^max-age=([0-9]+)(; ?includeSubDomains)?(; ?preload)?$", var.hsts_header_value)) && try(tonumber(regex("^max-age=([0-9]+)", var.hsts_header_value)[0]) >= 31536000, false)
    error_message = "hsts_header_value must be max-age=N with N of at least 31536000 (a year), optionally followed by ; includeSubDomains and ; preload (var.hsts_header_value)."
  }
}

variable "allowed_cidr_blocks" {
  description = "IPv4 ranges allowed to reach ports 80 (redirected) and 443: [\"0.0.0.0/0\"] for a public site."
  type        = list(string)

  validation {
    condition     = length(var.allowed_cidr_blocks) >= 1 && alltrue([for cidr in var.allowed_cidr_blocks : can(cidrhost(cidr, 0))])
    error_message = "allowed_cidr_blocks must list at least one valid IPv4 CIDR block (var.allowed_cidr_blocks)."
  }
}

variable "target_groups" {
  description = "Target groups (ip targets, for Fargate tasks) by short key: the container port and the health check path (default /readyz) and codes."
  type = map(object({
    port                 = number
    health_check_path    = optional(string, "/readyz")
    health_check_matcher = optional(string, "200")
    deregistration_delay = optional(number, 30)
  }))

  validation {
    condition     = length(var.target_groups) >= 1 && alltrue([for key in keys(var.target_groups) : can(regex("^[a-z][a-z0-9]{0,9}$", key))])
    error_message = "target_groups must have at least one entry, keyed by 1-10 lowercase letters or digits starting with a letter (var.target_groups)."
  }

  validation {
    condition     = alltrue([for group in values(var.target_groups) : group.port >= 1 && group.port <= 65535 && floor(group.port) == group.port])
    error_message = "target_groups ports must be whole numbers from 1 to 65535 (var.target_groups)."
  }

  validation {
    condition     = alltrue([for group in values(var.target_groups) : can(regex("^/[A-Za-z0-9._~/-]*$", group.health_check_path))])
    error_message = "target_groups health_check_path must be an absolute path such as /readyz (var.target_groups)."
  }

  validation {
    condition     = alltrue([for group in values(var.target_groups) : can(regex("^[1-5][0-9]{2}((-|,)[1-5][0-9]{2})*$", group.health_check_matcher))])
    error_message = "target_groups health_check_matcher must be HTTP codes such as 200, 200,204 or 200-299 (var.target_groups)."
  }

  validation {
    condition     = alltrue([for group in values(var.target_groups) : group.deregistration_delay >= 0 && group.deregistration_delay <= 3600])
    error_message = "target_groups deregistration_delay must be 0-3600 seconds (var.target_groups)."
  }
}

variable "default_target_group" {
  description = "Key of the target group the HTTPS listener forwards to when no routing rule matches."
  type        = string

  validation {
    condition     = contains(keys(var.target_groups), var.default_target_group)
    error_message = "default_target_group must be one of the keys of target_groups (var.default_target_group)."
  }
}

variable "routing_rules" {
  description = "Path-based rules of the HTTPS listener: requests matching any of path_patterns go to target_group; lower priority numbers are tried first."
  type = list(object({
    target_group  = string
    path_patterns = list(string)
    priority      = number
  }))
  default = []

  validation {
    condition     = alltrue([for rule in var.routing_rules : contains(keys(var.target_groups), rule.target_group)])
    error_message = "routing_rules target_group must be a key of target_groups (var.routing_rules)."
  }

  validation {
    condition     = alltrue([for rule in var.routing_rules : length(rule.path_patterns) >= 1 && length(rule.path_patterns) <= 5 && alltrue([for pattern in rule.path_patterns : startswith(pattern, "/")])])
    error_message = "routing_rules path_patterns must hold 1-5 patterns, each starting with / (var.routing_rules)."
  }

  validation {
    condition     = alltrue([for rule in var.routing_rules : rule.priority >= 1 && rule.priority <= 50000 && floor(rule.priority) == rule.priority]) && length(distinct([for rule in var.routing_rules : rule.priority])) == length(var.routing_rules)
    error_message = "routing_rules priorities must be distinct whole numbers from 1 to 50000 (var.routing_rules)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer until this is turned off."
  type        = bool
  default     = true
}

variable "idle_timeout" {
  description = "Seconds a connection may stay idle before the load balancer closes it."
  type        = number
  default     = 60

  validation {
    condition     = var.idle_timeout >= 1 && var.idle_timeout <= 4000 && floor(var.idle_timeout) == var.idle_timeout
    error_message = "idle_timeout must be a whole number of seconds from 1 to 4000 (var.idle_timeout)."
  }
}

variable "access_logs_retention_days" {
  description = "Days the access logs bucket keeps each log object (older noncurrent versions go after 7 more days)."
  type        = number
  default     = 90

  validation {
    condition     = var.access_logs_retention_days >= 1 && var.access_logs_retention_days <= 3650 && floor(var.access_logs_retention_days) == var.access_logs_retention_days
    error_message = "access_logs_retention_days must be a whole number of days from 1 to 3650 (var.access_logs_retention_days)."
  }
}

variable "waf_log_group_arn" {
  description = "ARN of the CloudWatch Logs log group the web ACL logs to; its name must start with aws-waf-logs-."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:aws-waf-logs-[A-Za-z0-9_./#-]+$", var.waf_log_group_arn))
    error_message = "waf_log_group_arn must be the ARN of a log group whose name starts with aws-waf-logs-, without a trailing :* (var.waf_log_group_arn)."
  }
}

variable "waf_rate_limit" {
  description = "Requests one client address may send in any 5 minutes before the web ACL blocks it for a while."
  type        = number
  default     = 2000

  validation {
    condition     = var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000 && floor(var.waf_rate_limit) == var.waf_rate_limit
    error_message = "waf_rate_limit must be a whole number from 10 to 2000000000 (var.waf_rate_limit)."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")])
    error_message = "tags keys must be 1-128 characters and not start with aws:, values at most 256 characters (var.tags)."
  }
}
