variable "name" {
  description = "Identifier of the DB instance and name prefix of its companions (lowercase letters, digits and hyphens, 2-40 characters, starting with a letter)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 2-40 lowercase letters, digits or hyphens, start with a letter, and have no trailing or double hyphen (var.name)."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the database's security group belongs to."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8}([0-9a-f]{9})?$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID such as vpc-0123456789abcdef0 (var.vpc_id)."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the DB subnet group, in at least two availability zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8}([0-9a-f]{9})?$", id))])
    error_message = "subnet_ids must list at least two subnet IDs (subnet-...) in different availability zones (var.subnet_ids)."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on the database port, keyed by a static label (for example { api = sg-... }); keys must be known at plan time."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for id in values(var.allowed_security_group_ids) : can(regex("^sg-[0-9a-f]{8}([0-9a-f]{9})?$", id))])
    error_message = "allowed_security_group_ids values must be security group IDs (sg-...) (var.allowed_security_group_ids)."
  }
}

variable "engine_version" {
  description = "PostgreSQL version: \"16\" lets RDS pick and upgrade the minor version; \"16.x\" pins one."
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^16(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be PostgreSQL 16: \"16\" or \"16.<minor>\" (var.engine_version)."
  }
}

variable "instance_class" {
  description = "DB instance class (for example db.t4g.medium, db.m7g.large)."
  type        = string
  default     = "db.t4g.medium"

  validation {
    condition     = can(regex("^db\\.[a-z0-9-]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must be an RDS instance class such as db.t4g.medium (var.instance_class)."
  }
}

variable "allocated_storage" {
  description = "Initial storage in GiB (gp3: 20-65536)."
  type        = number
  default     = 20

  validation {
    condition     = var.allocated_storage >= 20 && var.allocated_storage <= 65536 && floor(var.allocated_storage) == var.allocated_storage
    error_message = "allocated_storage must be a whole number of GiB from 20 to 65536 (var.allocated_storage)."
  }
}

variable "max_allocated_storage" {
  description = "Ceiling in GiB storage autoscaling may grow to; 0 turns storage autoscaling off."
  type        = number
  default     = 100

  validation {
    condition     = var.max_allocated_storage == 0 || (var.max_allocated_storage >= var.allocated_storage && var.max_allocated_storage <= 65536)
    error_message = "max_allocated_storage must be 0 (no autoscaling) or between allocated_storage and 65536 (var.max_allocated_storage)."
  }
}

variable "database_name" {
  description = "Name of the database created in the instance."
  type        = string
  default     = "tweets"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must be 1-63 letters, digits or underscores, starting with a letter (var.database_name)."
  }
}

variable "master_username" {
  description = "Name of the master user (the API connects as it)."
  type        = string
  default     = "tweets"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.master_username)) && !contains(["rdsadmin", "rds_superuser", "admin", "public"], lower(var.master_username))
    error_message = "master_username must be 1-63 letters, digits or underscores, start with a letter and not be a reserved name (rdsadmin, admin, public ...) (var.master_username)."
  }
}

variable "master_password" {
  description = "Password of the master user: the secrets module's database_password output, so the same value is in Secrets Manager and DATABASE_URL."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.master_password) >= 8 && length(var.master_password) <= 128 && !can(regex("[/@\" ]", var.master_password))
    error_message = "master_password must be 8-128 characters without /, @, \" or spaces (var.master_password)."
  }
}

variable "port" {
  description = "Port PostgreSQL listens on."
  type        = number
  default     = 5432

  validation {
    condition     = var.port >= 1150 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number from 1150 to 65535, the ports RDS allows (var.port)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the storage, snapshots, backups and Performance Insights (the secrets module's kms_key_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", var.kms_key_arn))
    error_message = "kms_key_arn must be the ARN of a KMS key (arn:aws:kms:REGION:ACCOUNT:key/ID) (var.kms_key_arn)."
  }
}

variable "multi_az" {
  description = "Keep a synchronous standby in a second zone that RDS fails over to. Only turn off for throwaway environments."
  type        = bool
  default     = true
}

variable "backup_retention_period" {
  description = "Days of automated backups (daily snapshots plus transaction logs), which is also how far back point-in-time restore reaches (1-35)."
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35 && floor(var.backup_retention_period) == var.backup_retention_period
    error_message = "backup_retention_period must be a whole number of days from 1 to 35; 0 would turn backups and point-in-time restore off (var.backup_retention_period)."
  }
}

variable "backup_window" {
  description = "Daily UTC window of the automated snapshot, hh:mm-hh:mm, at least 30 minutes, not overlapping maintenance_window."
  type        = string
  default     = "02:00-03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_window))
    error_message = "backup_window must be hh:mm-hh:mm in UTC, for example 02:00-03:00 (var.backup_window)."
  }
}

variable "maintenance_window" {
  description = "Weekly UTC maintenance window, ddd:hh:mm-ddd:hh:mm."
  type        = string
  default     = "sun:04:00-sun:05:00"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must be ddd:hh:mm-ddd:hh:mm in UTC, for example sun:04:00-sun:05:00 (var.maintenance_window)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (through Terraform or the console) until this is turned off."
  type        = bool
  default     = true
}

variable "performance_insights_retention_period" {
  description = "Days Performance Insights keeps its data: 7 (free) or a multiple of 31 up to 731."
  type        = number
  default     = 7

  validation {
    condition     = var.performance_insights_retention_period == 7 || (var.performance_insights_retention_period % 31 == 0 && var.performance_insights_retention_period >= 31 && var.performance_insights_retention_period <= 731)
    error_message = "performance_insights_retention_period must be 7 or a multiple of 31 up to 731 (var.performance_insights_retention_period)."
  }
}

variable "monitoring_interval" {
  description = "Seconds between Enhanced Monitoring samples (OS metrics), 0 to turn Enhanced Monitoring off."
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be 0, 1, 5, 10, 15, 30 or 60 (var.monitoring_interval)."
  }
}

variable "cloudwatch_log_groups" {
  description = "PostgreSQL logs to publish to CloudWatch Logs (postgresql at least), log type => the log group created for it beforehand (encrypted, with retention): RDS writes to /aws/rds/instance/NAME/TYPE and would otherwise create a plain group itself. Types: postgresql, upgrade, iam-db-auth-error."
  type        = map(string)

  validation {
    condition     = contains(keys(var.cloudwatch_log_groups), "postgresql") && alltrue([for log in keys(var.cloudwatch_log_groups) : contains(["postgresql", "upgrade", "iam-db-auth-error"], log)])
    error_message = "cloudwatch_log_groups must include postgresql, and its keys must be postgresql, upgrade or iam-db-auth-error (var.cloudwatch_log_groups)."
  }

  validation {
    condition     = alltrue([for log, group in var.cloudwatch_log_groups : group == "/aws/rds/instance/${var.name}/${log}"])
    error_message = "cloudwatch_log_groups values must be the names RDS writes to, /aws/rds/instance/NAME/TYPE with this instance's name (var.cloudwatch_log_groups)."
  }
}

variable "log_min_duration_statement_ms" {
  description = "Statements slower than this many milliseconds are logged with their duration (log_min_duration_statement); -1 logs none."
  type        = number
  default     = 500

  validation {
    condition     = var.log_min_duration_statement_ms >= -1 && floor(var.log_min_duration_statement_ms) == var.log_min_duration_statement_ms
    error_message = "log_min_duration_statement_ms must be a whole number of milliseconds, or -1 (var.log_min_duration_statement_ms)."
  }
}

variable "parameters" {
  description = "Extra PostgreSQL parameters for the parameter group, name => value. rds.force_ssl, log_statement and log_min_duration_statement are set by the module and cannot be overridden here."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.parameters), ["rds.force_ssl", "log_statement", "log_min_duration_statement"])) == 0
    error_message = "parameters must not set rds.force_ssl, log_statement or log_min_duration_statement: the module owns them (var.parameters)."
  }
}

variable "apply_immediately" {
  description = "Apply changes now rather than in the next maintenance window (some changes restart the instance)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags); RDS copies them to snapshots."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")])
    error_message = "tags keys must be 1-128 characters and not start with aws:, values at most 256 characters (var.tags)."
  }
}
