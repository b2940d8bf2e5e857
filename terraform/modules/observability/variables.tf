variable "name" {
  description = "Name prefix of every resource and alarm (lowercase letters, digits and hyphens, 2-20 characters, starting with a letter)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name))
    error_message = "name must be 2-20 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen (var.name)."
  }
}

variable "log_groups" {
  description = "CloudWatch Logs log groups to create, KMS-encrypted, keyed by a short handle other modules are given (for example api = { name = \"/ecs/tweets/api\" }). retention_in_days falls back to default_log_retention_in_days."
  type = map(object({
    name              = string
    retention_in_days = optional(number)
  }))
  default = {}

  validation {
    condition     = alltrue([for key, group in var.log_groups : can(regex("^[a-z][a-z0-9_-]{0,31}$", key))])
    error_message = "log_groups keys must be 1-32 lowercase letters, digits, hyphens or underscores, starting with a letter (var.log_groups)."
  }

  validation {
    condition     = alltrue([for group in values(var.log_groups) : can(regex("^[A-Za-z0-9_./#-]{1,512}$", group.name))])
    error_message = "log_groups names must be 1-512 characters from A-Z a-z 0-9 _ - . / # (var.log_groups)."
  }

  validation {
    condition = alltrue([
      for group in values(var.log_groups) : contains(
        [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
        coalesce(group.retention_in_days, 365)
      )
    ])
    error_message = "log_groups retention_in_days must be one of the values CloudWatch Logs allows: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 (var.log_groups)."
  }
}

variable "default_log_retention_in_days" {
  description = "Days CloudWatch Logs keeps events of a log group that sets no retention_in_days of its own. Never-expire (0) is not offered."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.default_log_retention_in_days)
    error_message = "default_log_retention_in_days must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 (var.default_log_retention_in_days)."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Days a deleted KMS key of the logs and alarm topic waits before it is destroyed (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30 && floor(var.kms_key_deletion_window_in_days) == var.kms_key_deletion_window_in_days
    error_message = "kms_key_deletion_window_in_days must be a whole number from 7 to 30 (var.kms_key_deletion_window_in_days)."
  }
}

variable "alarm_email_addresses" {
  description = "E-mail addresses subscribed to the alarm topic (each must confirm the subscription). Empty: subscribe other endpoints to the sns_topic_arn output yourself."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "alarm_email_addresses entries must be e-mail addresses (var.alarm_email_addresses)."
  }
}

variable "load_balancer_arn_suffix" {
  description = "ARN suffix of the application load balancer (app/NAME/ID), the LoadBalancer dimension of its metrics."
  type        = string

  validation {
    condition     = can(regex("^app/[A-Za-z0-9-]{1,32}/[0-9a-f]+$", var.load_balancer_arn_suffix))
    error_message = "load_balancer_arn_suffix must look like app/NAME/ID (the arn_suffix attribute of aws_lb) (var.load_balancer_arn_suffix)."
  }
}

variable "api_target_group_arn_suffix" {
  description = "ARN suffix of the API's target group (targetgroup/NAME/ID), the TargetGroup dimension of its metrics."
  type        = string

  validation {
    condition     = can(regex("^targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$", var.api_target_group_arn_suffix))
    error_message = "api_target_group_arn_suffix must look like targetgroup/NAME/ID (the arn_suffix attribute of aws_lb_target_group) (var.api_target_group_arn_suffix)."
  }
}

variable "web_target_group_arn_suffix" {
  description = "ARN suffix of the web (nginx) target group (targetgroup/NAME/ID)."
  type        = string

  validation {
    condition     = can(regex("^targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]+$", var.web_target_group_arn_suffix))
    error_message = "web_target_group_arn_suffix must look like targetgroup/NAME/ID (the arn_suffix attribute of aws_lb_target_group) (var.web_target_group_arn_suffix)."
  }
}

variable "ecs_cluster_name" {
  description = "Name of the ECS cluster the services run in (Container Insights must be on for the running-task alarm)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.ecs_cluster_name))
    error_message = "ecs_cluster_name must be 1-255 letters, digits, hyphens or underscores (var.ecs_cluster_name)."
  }
}

variable "api_service_name" {
  description = "Name of the API's ECS service."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.api_service_name))
    error_message = "api_service_name must be 1-255 letters, digits, hyphens or underscores (var.api_service_name)."
  }
}

variable "db_instance_identifier" {
  description = "Identifier of the RDS PostgreSQL instance."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.db_instance_identifier)) && !endswith(var.db_instance_identifier, "-") && !strcontains(var.db_instance_identifier, "--")
    error_message = "db_instance_identifier must be an RDS identifier: 1-63 lowercase letters, digits or hyphens, starting with a letter, no trailing or double hyphen (var.db_instance_identifier)."
  }
}

variable "error_ratio_threshold" {
  description = "HighErrorRatio fires when more than this share of the API's requests answer 5xx for 5 minutes (the Prometheus rule uses 0.05)."
  type        = number
  default     = 0.05

  validation {
    condition     = var.error_ratio_threshold > 0 && var.error_ratio_threshold < 1
    error_message = "error_ratio_threshold must be a ratio between 0 and 1, exclusive (var.error_ratio_threshold)."
  }
}

variable "latency_p95_threshold_seconds" {
  description = "HighLatencyP95 fires when the API's p95 TargetResponseTime stays above this many seconds for 10 minutes (the Prometheus rule uses 0.5)."
  type        = number
  default     = 0.5

  validation {
    condition     = var.latency_p95_threshold_seconds > 0 && var.latency_p95_threshold_seconds <= 60
    error_message = "latency_p95_threshold_seconds must be above 0 and at most 60 (var.latency_p95_threshold_seconds)."
  }
}

variable "db_connections_threshold" {
  description = "DbPoolSaturated fires when RDS DatabaseConnections stays above this for 5 minutes. Set it to 90% of the most connections the API can hold: max tasks x DB_POOL_SIZE x 0.9."
  type        = number

  validation {
    condition     = var.db_connections_threshold >= 1 && floor(var.db_connections_threshold) == var.db_connections_threshold
    error_message = "db_connections_threshold must be a whole number of connections, at least 1 (var.db_connections_threshold)."
  }
}

variable "db_cpu_threshold_percent" {
  description = "DatabaseCpuHigh fires when the RDS instance's CPU stays above this percentage for 15 minutes."
  type        = number
  default     = 80

  validation {
    condition     = var.db_cpu_threshold_percent >= 1 && var.db_cpu_threshold_percent <= 100
    error_message = "db_cpu_threshold_percent must be between 1 and 100 (var.db_cpu_threshold_percent)."
  }
}

variable "db_free_storage_threshold_bytes" {
  description = "DatabaseStorageLow fires when the RDS instance's FreeStorageSpace drops below this many bytes."
  type        = number
  default     = 2147483648

  validation {
    condition     = var.db_free_storage_threshold_bytes >= 104857600
    error_message = "db_free_storage_threshold_bytes must be at least 104857600 (100 MiB) (var.db_free_storage_threshold_bytes)."
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
