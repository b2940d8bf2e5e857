variable "name_prefix" {
  description = "Prefix of every Docker object the module creates, e.g. tweets-prod: the container is {name_prefix}-db, its volume {name_prefix}-db-data."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-32 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit (var.name_prefix)."
  }
}

variable "image" {
  description = "PostgreSQL image, pinned to a version tag (the same one compose.yaml runs)."
  type        = string
  default     = "postgres:16.6-alpine"

  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image)) && !endswith(var.image, ":latest")
    error_message = "image must name a pinned tag such as postgres:16.6-alpine, not :latest or no tag at all (var.image)."
  }
}

variable "database_name" {
  description = "Name of the database created at first start (POSTGRES_DB)."
  type        = string
  default     = "tweets"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must be 1-63 lowercase letters, digits or underscores, not starting with a digit (var.database_name)."
  }
}

variable "username" {
  description = "Owner role of the database, created at first start (POSTGRES_USER)."
  type        = string
  default     = "tweets"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.username))
    error_message = "username must be 1-63 lowercase letters, digits or underscores, not starting with a digit (var.username)."
  }
}

variable "password" {
  description = "Password of the owner role (POSTGRES_PASSWORD), at least 12 characters. Only read when the data volume is empty: changing it later does not change the role's password."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.password) >= 12
    error_message = "password must be at least 12 characters (var.password)."
  }

  validation {
    condition     = length(regexall("[[:space:]]", var.password)) == 0
    error_message = "password must not contain whitespace (var.password)."
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

variable "memory_mb" {
  description = "Memory limit of the container, in MiB."
  type        = number
  default     = 1024

  validation {
    condition     = var.memory_mb >= 64 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number of MiB, at least 64 (var.memory_mb)."
  }
}

variable "cpus" {
  description = "CPU limit of the container, in CPUs (0.5 is half of one)."
  type        = number
  default     = 2

  validation {
    condition     = var.cpus > 0 && var.cpus <= 64
    error_message = "cpus must be greater than 0 and at most 64 (var.cpus)."
  }
}

variable "shm_size_mb" {
  description = "Size of /dev/shm in MiB; PostgreSQL's parallel queries use it (Docker's default of 64 is small)."
  type        = number
  default     = 256

  validation {
    condition     = var.shm_size_mb >= 64 && floor(var.shm_size_mb) == var.shm_size_mb && var.shm_size_mb < var.memory_mb
    error_message = "shm_size_mb must be a whole number of MiB, at least 64 and below var.memory_mb (var.shm_size_mb)."
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
  description = "Seconds Terraform waits for the container to report healthy after creating it (an empty volume is initialised first)."
  type        = number
  default     = 120

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
  description = "Extra Docker labels for the container and its volume, merged over the module's own."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.labels) : can(regex("^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$", k))])
    error_message = "label keys must be lowercase letters, digits, dots, underscores or hyphens, starting and ending with a letter or digit (var.labels)."
  }
}
