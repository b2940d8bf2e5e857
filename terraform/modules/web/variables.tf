variable "name_prefix" {
  description = "Prefix of every Docker object the module creates, e.g. tweets-prod: the container is {name_prefix}-web."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-32 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit (var.name_prefix)."
  }
}

variable "build_context" {
  description = "Path of the repository root, the Docker build context. Null means three directories above the root module (terraform/environments/{env}, so the repository)."
  type        = string
  default     = null

  validation {
    condition     = var.build_context == null || try(length(trimspace(var.build_context)) > 0, false)
    error_message = "build_context must be a non-empty path to the repository root, or null (var.build_context)."
  }
}

variable "dockerfile" {
  description = "Dockerfile of the nginx image, relative to build_context."
  type        = string
  default     = "docker/web.Dockerfile"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", var.dockerfile)) && !startswith(var.dockerfile, "../")
    error_message = "dockerfile must be a relative path inside the build context, such as docker/web.Dockerfile (var.dockerfile)."
  }
}

variable "image_name" {
  description = "Repository name the built image is tagged with."
  type        = string
  default     = "tweets-web"

  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*$", var.image_name))
    error_message = "image_name must be a Docker repository name: lowercase letters, digits and single separators (. _ - /) (var.image_name)."
  }
}

variable "image_tag" {
  description = "Tag the built image gets (the compose files' TWEETS_TAG)."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a Docker tag: up to 128 letters, digits, underscores, dots or hyphens, not starting with a dot or hyphen (var.image_tag)."
  }
}

variable "networks" {
  description = "Names of the Docker networks to attach the container to: a non-internal one for the published port, and the one the API replicas are on."
  type        = list(string)

  validation {
    condition     = length(var.networks) > 0 && alltrue([for n in var.networks : can(regex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", n))])
    error_message = "networks must list at least one Docker network name (var.networks)."
  }
}

variable "upstream_addresses" {
  description = "host:port of every API replica (the api module's upstream_addresses output); each becomes a server line of nginx's tweets_api upstream."
  type        = list(string)

  validation {
    condition     = length(var.upstream_addresses) >= 1 && length(var.upstream_addresses) <= 10
    error_message = "upstream_addresses must list between 1 and 10 API replicas (var.upstream_addresses)."
  }

  validation {
    condition     = alltrue([for a in var.upstream_addresses : can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:[0-9]{1,5}$", a)) && try(tonumber(split(":", a)[1]) >= 1 && tonumber(split(":", a)[1]) <= 65535, false)])
    error_message = "upstream_addresses must be host:port pairs such as tweets-prod-api-0:8080, with a port between 1 and 65535 (var.upstream_addresses)."
  }
}

variable "upstream_server_params" {
  description = "Parameters of every upstream server line. resolve is required: replicas are replaced behind the same names with new addresses, and nginx must look them up again."
  type        = string
  default     = "resolve"

  validation {
    condition     = can(regex("^[a-z_]+(=[A-Za-z0-9.]+)?( [a-z_]+(=[A-Za-z0-9.]+)?)*$", var.upstream_server_params)) && contains(split(" ", var.upstream_server_params), "resolve")
    error_message = "upstream_server_params must be nginx server parameters that include resolve, such as \"resolve\" or \"resolve max_fails=3 fail_timeout=10s\" (var.upstream_server_params)."
  }
}

variable "host_port" {
  description = "Port published on the host for nginx (the compose files' WEB_PORT)."
  type        = number
  default     = 8080

  validation {
    condition     = var.host_port >= 1 && var.host_port <= 65535 && floor(var.host_port) == var.host_port
    error_message = "host_port must be a port number between 1 and 65535 (var.host_port)."
  }
}

variable "host_ip" {
  description = "Host address the port is published on: 0.0.0.0 for every interface, 127.0.0.1 for this machine only."
  type        = string
  default     = "0.0.0.0"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.host_ip)) && can(cidrhost("${var.host_ip}/32", 0))
    error_message = "host_ip must be an IPv4 address such as 0.0.0.0 or 127.0.0.1 (var.host_ip)."
  }
}

variable "media_volume_name" {
  description = "Docker volume holding uploaded images (the api module's media_volume_name output), mounted read-only."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]+$", var.media_volume_name))
    error_message = "media_volume_name must be a Docker volume name (var.media_volume_name)."
  }
}

variable "media_root" {
  description = "Where the media volume is mounted and served from as /media/ (TWEETS_MEDIA_ROOT)."
  type        = string
  default     = "/var/lib/tweets/media"

  validation {
    condition     = can(regex("^(/[A-Za-z0-9._-]+)+$", var.media_root))
    error_message = "media_root must be an absolute path without a trailing slash, such as /var/lib/tweets/media (var.media_root)."
  }
}

variable "memory_mb" {
  description = "Memory limit of the container, in MiB."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_mb >= 32 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number of MiB, at least 32 (var.memory_mb)."
  }
}

variable "cpus" {
  description = "CPU limit of the container, in CPUs (0.5 is half of one)."
  type        = number
  default     = 1

  validation {
    condition     = var.cpus > 0 && var.cpus <= 64
    error_message = "cpus must be greater than 0 and at most 64 (var.cpus)."
  }
}

variable "restart_policy" {
  description = "Docker restart policy of the container: no, on-failure, always or unless-stopped."
  type        = string
  default     = "unless-stopped"

  validation {
    condition     = contains(["no", "on-failure", "always", "unless-stopped"], var.restart_policy)
    error_message = "restart_policy must be one of no, on-failure, always, unless-stopped (var.restart_policy)."
  }
}

variable "health_wait_timeout" {
  description = "Seconds Terraform waits for nginx to report healthy after creating the container."
  type        = number
  default     = 60

  validation {
    condition     = var.health_wait_timeout >= 10 && var.health_wait_timeout <= 900 && floor(var.health_wait_timeout) == var.health_wait_timeout
    error_message = "health_wait_timeout must be a whole number of seconds between 10 and 900 (var.health_wait_timeout)."
  }
}

variable "log_max_size" {
  description = "Size at which the json-file log driver rotates the container's log, e.g. 10m."
  type        = string
  default     = "10m"

  validation {
    condition     = can(regex("^[1-9][0-9]*[kmg]$", var.log_max_size))
    error_message = "log_max_size must be a size such as 500k, 10m or 1g (var.log_max_size)."
  }
}

variable "log_max_files" {
  description = "Rotated log files the json-file log driver keeps."
  type        = number
  default     = 5

  validation {
    condition     = var.log_max_files >= 1 && var.log_max_files <= 100 && floor(var.log_max_files) == var.log_max_files
    error_message = "log_max_files must be a whole number between 1 and 100 (var.log_max_files)."
  }
}

variable "labels" {
  description = "Extra Docker labels for the image and the container, merged over the module's own."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.labels) : can(regex("^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$", k))])
    error_message = "label keys must be lowercase letters, digits, dots, underscores or hyphens, starting and ending with a letter or digit (var.labels)."
  }
}
