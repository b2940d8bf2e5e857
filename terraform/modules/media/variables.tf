variable "name" {
  description = "Name prefix of every resource (lowercase letters, digits and hyphens, 2-20 characters, starting with a letter)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name))
    error_message = "name must be 2-20 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen (var.name)."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the file system's security group belongs to."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8}([0-9a-f]{9})?$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID such as vpc-0123456789abcdef0 (var.vpc_id)."
  }
}

variable "subnet_ids" {
  description = "Private subnets that get a mount target, one per availability zone (at least two)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8}([0-9a-f]{9})?$", id))])
    error_message = "subnet_ids must list at least two subnet IDs (subnet-...), one per availability zone (var.subnet_ids)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the file system and its backups (the secrets module's kms_key_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", var.kms_key_arn))
    error_message = "kms_key_arn must be the ARN of a KMS key (arn:aws:kms:REGION:ACCOUNT:key/ID) (var.kms_key_arn)."
  }
}

variable "client_security_group_ids" {
  description = "Security groups of the tasks allowed to reach NFS (2049), keyed by a static label (for example { api = sg-..., web = sg-... })."
  type        = map(string)

  validation {
    condition     = length(var.client_security_group_ids) >= 1 && alltrue([for id in values(var.client_security_group_ids) : can(regex("^sg-[0-9a-f]{8}([0-9a-f]{9})?$", id))])
    error_message = "client_security_group_ids must map at least one label to a security group ID (sg-...) (var.client_security_group_ids)."
  }
}

variable "writer_role_arns" {
  description = "IAM roles (the API's task role) the file system policy lets mount and write through the access point."
  type        = list(string)

  validation {
    condition     = length(var.writer_role_arns) >= 1 && alltrue([for arn in var.writer_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "writer_role_arns must list at least one IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) (var.writer_role_arns)."
  }
}

variable "reader_role_arns" {
  description = "IAM roles (the web task role: nginx serves /media/) the file system policy lets mount read-only through the access point."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.reader_role_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", arn))])
    error_message = "reader_role_arns entries must be IAM role ARNs (arn:aws:iam::ACCOUNT:role/NAME) (var.reader_role_arns)."
  }
}

variable "posix_uid" {
  description = "User ID every access through the access point runs as and owns new files with: 10001, the tweets user of the API image."
  type        = number
  default     = 10001

  validation {
    condition     = var.posix_uid >= 1 && var.posix_uid <= 4294967294 && floor(var.posix_uid) == var.posix_uid
    error_message = "posix_uid must be a whole number from 1 to 4294967294: not root (var.posix_uid)."
  }
}

variable "posix_gid" {
  description = "Group ID of every access through the access point: 10001, the tweets group of the API image."
  type        = number
  default     = 10001

  validation {
    condition     = var.posix_gid >= 1 && var.posix_gid <= 4294967294 && floor(var.posix_gid) == var.posix_gid
    error_message = "posix_gid must be a whole number from 1 to 4294967294: not root (var.posix_gid)."
  }
}

variable "root_directory" {
  description = "Directory of the file system the access point exposes as its root; created owned by posix_uid:posix_gid."
  type        = string
  default     = "/media"

  validation {
    condition     = can(regex("^(/[A-Za-z0-9._-]+)+$", var.root_directory))
    error_message = "root_directory must be an absolute path below / such as /media, without a trailing slash (var.root_directory)."
  }
}

variable "root_directory_permissions" {
  description = "Octal permissions of root_directory when the access point creates it."
  type        = string
  default     = "0755"

  validation {
    condition     = can(regex("^0?[0-7]{3}$", var.root_directory_permissions))
    error_message = "root_directory_permissions must be octal permissions such as 0755 (var.root_directory_permissions)."
  }
}

variable "throughput_mode" {
  description = "EFS throughput mode: elastic (pay per use, follows bursts) or bursting."
  type        = string
  default     = "elastic"

  validation {
    condition     = contains(["elastic", "bursting"], var.throughput_mode)
    error_message = "throughput_mode must be elastic or bursting (var.throughput_mode)."
  }
}

variable "transition_to_ia" {
  description = "Move files not read for this long to Infrequent Access (AFTER_7_DAYS ... AFTER_365_DAYS); null keeps everything in Standard."
  type        = string
  default     = "AFTER_30_DAYS"

  validation {
    condition     = var.transition_to_ia == null || contains(["AFTER_1_DAY", "AFTER_7_DAYS", "AFTER_14_DAYS", "AFTER_30_DAYS", "AFTER_60_DAYS", "AFTER_90_DAYS", "AFTER_180_DAYS", "AFTER_270_DAYS", "AFTER_365_DAYS"], coalesce(var.transition_to_ia, "AFTER_30_DAYS"))
    error_message = "transition_to_ia must be null or one of AFTER_1_DAY, AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS, AFTER_180_DAYS, AFTER_270_DAYS, AFTER_365_DAYS (var.transition_to_ia)."
  }
}

variable "backup_schedule" {
  description = "When AWS Backup backs the file system up, as a cron() expression in UTC."
  type        = string
  default     = "cron(0 3 * * ? *)"

  validation {
    condition     = can(regex("^cron\\(([^ ]+ ){5}[^ ]+\\)$", var.backup_schedule))
    error_message = "backup_schedule must be an AWS cron expression with six fields, such as cron(0 3 * * ? *) (var.backup_schedule)."
  }
}

variable "backup_retention_days" {
  description = "Days AWS Backup keeps each backup of the file system."
  type        = number
  default     = 35

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 36500 && floor(var.backup_retention_days) == var.backup_retention_days
    error_message = "backup_retention_days must be a whole number of days from 1 to 36500 (var.backup_retention_days)."
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
