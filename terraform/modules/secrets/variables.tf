variable "name" {
  description = "Name prefix of every resource; secrets are named NAME/jwt-secret, NAME/database-url and so on (lowercase letters, digits and hyphens, 2-20 characters)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name))
    error_message = "name must be 2-20 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen (var.name)."
  }
}

variable "jwt_secret" {
  description = "HS256 signing key of the API's access tokens (JWT_SECRET). Null generates 64 random characters, which is what you want unless you are migrating tokens from elsewhere."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.jwt_secret == null || length(coalesce(var.jwt_secret, "x")) >= 32
    error_message = "jwt_secret must be at least 32 characters (the API refuses weaker keys in production), or null to generate one (var.jwt_secret)."
  }
}

variable "database_password" {
  description = "Password of the database's master user. Null generates 40 random characters. RDS refuses /, @, \" and spaces."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.database_password == null || (length(coalesce(var.database_password, "xxxxxxxx")) >= 8 && length(coalesce(var.database_password, "x")) <= 128 && !can(regex("[/@\" ]", coalesce(var.database_password, "x"))))
    error_message = "database_password must be 8-128 characters without /, @, \" or spaces, or null to generate one (var.database_password)."
  }
}

variable "database" {
  description = "Where the API's DATABASE_URL points: the RDS endpoint's host and port, the database name and the user. The URL carries sslmode=require."
  type = object({
    host     = string
    port     = optional(number, 5432)
    name     = string
    username = string
  })

  validation {
    condition     = var.database.port >= 1150 && var.database.port <= 65535 && floor(var.database.port) == var.database.port
    error_message = "database.port must be a whole number from 1150 to 65535, the ports RDS allows (var.database)."
  }

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.database.name))
    error_message = "database.name must be 1-63 letters, digits or underscores, starting with a letter (var.database)."
  }

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]{0,62}$", var.database.username))
    error_message = "database.username must be 1-63 letters, digits or underscores, starting with a letter (var.database)."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]{1,253}$", var.database.host))
    error_message = "database.host must be a host name such as the RDS instance's address (var.database)."
  }
}

variable "redis" {
  description = "The ElastiCache primary endpoint the API's REDIS_URL points to (rediss:// with the generated auth token); null stores no REDIS_URL."
  type = object({
    host = string
    port = optional(number, 6379)
  })
  default = null

  validation {
    condition     = var.redis == null || try(var.redis.port >= 1 && var.redis.port <= 65535 && can(regex("^[A-Za-z0-9.-]{1,253}$", var.redis.host)), false)
    error_message = "redis must be null or have a host name and a port from 1 to 65535 (var.redis)."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored: 0 deletes at once, else 7-30."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30 && floor(var.recovery_window_in_days) == var.recovery_window_in_days)
    error_message = "recovery_window_in_days must be 0 or a whole number from 7 to 30 (var.recovery_window_in_days)."
  }
}

variable "kms_key_deletion_window_in_days" {
  description = "Days a deleted KMS key of the application's data waits before it is destroyed (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_key_deletion_window_in_days >= 7 && var.kms_key_deletion_window_in_days <= 30 && floor(var.kms_key_deletion_window_in_days) == var.kms_key_deletion_window_in_days
    error_message = "kms_key_deletion_window_in_days must be a whole number from 7 to 30 (var.kms_key_deletion_window_in_days)."
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
