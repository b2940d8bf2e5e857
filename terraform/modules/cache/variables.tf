variable "name_prefix" {
  description = "Prefix of the container name, e.g. tweets-prod: the container is {name_prefix}-redis."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-32 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit (var.name_prefix)."
  }
}

variable "image" {
  description = "Redis image, pinned to a version tag (the same one compose.prod.yaml runs)."
  type        = string
  default     = "redis:7.4.2-alpine"

  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must name a pinned tag such as redis:7.4.2-alpine, not :latest or no tag at all (var.image)."
  }
}

variable "networks" {
  description = "Names of the Docker networks to attach the container to (normally the internal backend network)."
  type        = list(string)

  validation {
    condition     = length(var.networks) > 0 && alltrue([for n in var.networks : can(regex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", n))])
    error_message = "networks must list at least one Docker network name (var.networks)."
  }
}

variable "database_index" {
  description = "Redis logical database the URL points at (0-15)."
  type        = number
  default     = 0

  validation {
    condition     = var.database_index >= 0 && var.database_index <= 15 && floor(var.database_index) == var.database_index
    error_message = "database_index must be a whole number between 0 and 15 (var.database_index)."
  }
}

variable "maxmemory_mb" {
  description = "Memory Redis may use for data (--maxmemory), in MiB; keys are evicted past it. Rate-limit counters need little."
  type        = number
  default     = 64

  validation {
    condition     = var.maxmemory_mb >= 1 && floor(var.maxmemory_mb) == var.maxmemory_mb && var.maxmemory_mb < var.memory_mb
    error_message = "maxmemory_mb must be a whole number of MiB, at least 1 and below var.memory_mb, leaving Redis room for its own overhead (var.maxmemory_mb)."
  }
}

variable "maxmemory_policy" {
  description = "What Redis evicts at maxmemory (--maxmemory-policy). volatile-ttl drops the keys closest to expiry, which rate-limit windows all have."
  type        = string
  default     = "volatile-ttl"

  validation {
    condition     = contains(["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"], var.maxmemory_policy)
    error_message = "maxmemory_policy must be a Redis eviction policy: noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random or volatile-ttl (var.maxmemory_policy)."
  }
}

variable "memory_mb" {
  description = "Memory limit of the container, in MiB."
  type        = number
  default     = 128

  validation {
    condition     = var.memory_mb >= 16 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number of MiB, at least 16 (var.memory_mb)."
  }
}

variable "cpus" {
  description = "CPU limit of the container, in CPUs (0.5 is half of one)."
  type        = number
  default     = 0.5

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
  description = "Seconds Terraform waits for the container to report healthy after creating it."
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
  description = "Extra Docker labels for the container, merged over the module's own."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.labels) : can(regex("^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$", k))])
    error_message = "label keys must be lowercase letters, digits, dots, underscores or hyphens, starting and ending with a letter or digit (var.labels)."
  }
}
