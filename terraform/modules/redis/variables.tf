variable "name" {
  description = "ID of the replication group and name prefix of its companions (lowercase letters, digits and hyphens, 2-40 characters, starting with a letter)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.name)) && !strcontains(var.name, "--")
    error_message = "name must be 2-40 lowercase letters, digits or hyphens, start with a letter, and have no trailing or double hyphen (var.name)."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the cache's security group belongs to."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8}([0-9a-f]{9})?$", var.vpc_id))
    error_message = "vpc_id must be a VPC ID such as vpc-0123456789abcdef0 (var.vpc_id)."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the cache subnet group, in at least two availability zones."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8}([0-9a-f]{9})?$", id))])
    error_message = "subnet_ids must list at least two subnet IDs (subnet-...) in different availability zones (var.subnet_ids)."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on the cache port, keyed by a static label (for example { api = sg-... })."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for id in values(var.allowed_security_group_ids) : can(regex("^sg-[0-9a-f]{8}([0-9a-f]{9})?$", id))])
    error_message = "allowed_security_group_ids values must be security group IDs (sg-...) (var.allowed_security_group_ids)."
  }
}

variable "node_type" {
  description = "Cache node type (for example cache.t4g.micro; the API keeps only rate-limit counters there)."
  type        = string
  default     = "cache.t4g.micro"

  validation {
    condition     = can(regex("^cache\\.[a-z0-9-]+\\.[a-z0-9]+$", var.node_type))
    error_message = "node_type must be an ElastiCache node type such as cache.t4g.micro (var.node_type)."
  }
}

variable "num_cache_clusters" {
  description = "Nodes in the replication group: 1 primary plus replicas. Above 1, automatic failover and Multi-AZ are on."
  type        = number
  default     = 2

  validation {
    condition     = var.num_cache_clusters >= 1 && var.num_cache_clusters <= 6 && floor(var.num_cache_clusters) == var.num_cache_clusters
    error_message = "num_cache_clusters must be a whole number from 1 to 6 (var.num_cache_clusters)."
  }
}

variable "engine_version" {
  description = "Redis OSS engine version, 7.0 or later (needed for transit_encryption_mode)."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be a Redis OSS 7 version such as 7.1 (var.engine_version)."
  }
}

variable "port" {
  description = "Port the cache listens on."
  type        = number
  default     = 6379

  validation {
    condition     = var.port >= 1024 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number from 1024 to 65535 (var.port)."
  }
}

variable "auth_token" {
  description = "AUTH token clients must send (the secrets module's redis_auth_token output, which REDIS_URL carries)."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.auth_token) >= 16 && length(var.auth_token) <= 128 && !can(regex("[/\"@\\s]", var.auth_token))
    error_message = "auth_token must be 16-128 printable characters without /, \", @ or spaces (var.auth_token)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key that encrypts the cache at rest and its snapshots (the secrets module's kms_key_arn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", var.kms_key_arn))
    error_message = "kms_key_arn must be the ARN of a KMS key (arn:aws:kms:REGION:ACCOUNT:key/ID) (var.kms_key_arn)."
  }
}

variable "maxmemory_policy" {
  description = "What Redis evicts when full; volatile-ttl (as in compose.prod.yaml) evicts the counters closest to expiring."
  type        = string
  default     = "volatile-ttl"

  validation {
    condition     = contains(["volatile-ttl", "volatile-lru", "volatile-lfu", "volatile-random", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"], var.maxmemory_policy)
    error_message = "maxmemory_policy must be one of Redis's eviction policies: volatile-ttl, volatile-lru, volatile-lfu, volatile-random, allkeys-lru, allkeys-lfu, allkeys-random or noeviction (var.maxmemory_policy)."
  }
}

variable "snapshot_retention_limit" {
  description = "Days of daily snapshots kept; 0 turns them off."
  type        = number
  default     = 1

  validation {
    condition     = var.snapshot_retention_limit >= 0 && var.snapshot_retention_limit <= 35 && floor(var.snapshot_retention_limit) == var.snapshot_retention_limit
    error_message = "snapshot_retention_limit must be a whole number of days from 0 to 35 (var.snapshot_retention_limit)."
  }
}

variable "snapshot_window" {
  description = "Daily UTC window of the snapshot, hh:mm-hh:mm, not overlapping maintenance_window."
  type        = string
  default     = "02:00-03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.snapshot_window))
    error_message = "snapshot_window must be hh:mm-hh:mm in UTC, for example 02:00-03:00 (var.snapshot_window)."
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

variable "slow_log_group_name" {
  description = "CloudWatch Logs log group the slow log is delivered to (JSON); null delivers none."
  type        = string
  default     = null

  validation {
    condition     = var.slow_log_group_name == null || can(regex("^[A-Za-z0-9_./#-]{1,512}$", var.slow_log_group_name))
    error_message = "slow_log_group_name must be a log group name (A-Z a-z 0-9 _ - . / #) or null (var.slow_log_group_name)."
  }
}

variable "apply_immediately" {
  description = "Apply changes now rather than in the next maintenance window."
  type        = bool
  default     = false
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
