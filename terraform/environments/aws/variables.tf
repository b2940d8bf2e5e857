variable "aws_region" {
  description = "AWS region everything is created in (the ACM certificate must be in it too)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1 (var.aws_region)."
  }
}

variable "availability_zones" {
  description = "Two (or more) availability zones of aws_region to spread the stack over."
  type        = list(string)
}

variable "name" {
  description = "Name of the environment, prefix of every resource."
  type        = string
  default     = "tweets-prod"
}

variable "domain_name" {
  description = "Host name the site is served at (the ACM certificate covers it; point it at the alb_dns_name output)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lowercase host name such as tweets.example.com (var.domain_name)."
  }
}

variable "certificate_arn" {
  description = "ARN of the issued ACM certificate for domain_name, in aws_region."
  type        = string
}

variable "allowed_cidr_blocks" {
  description = "IPv4 ranges that may reach the load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC."
  type        = string
  default     = "10.0.0.0/16"
}

variable "nat_gateway_mode" {
  description = "one_per_az (survives a zone outage) or single (about 33 USD a month cheaper)."
  type        = string
  default     = "one_per_az"
}

variable "api_image" {
  description = "Image of the API (docker/api.Dockerfile), with a tag or digest."
  type        = string
}

variable "web_image" {
  description = "Image of nginx with the single-page app (docker/web.Dockerfile), with a tag or digest."
  type        = string
}

variable "ecr_repository_arns" {
  description = "ECR repositories holding the two images (the tasks' execution roles may pull from these only)."
  type        = list(string)
  default     = []
}

variable "api_cpu" {
  description = "CPU units of an API task."
  type        = number
  default     = 512
}

variable "api_memory" {
  description = "Memory of an API task, MiB."
  type        = number
  default     = 1024
}

variable "api_min_capacity" {
  description = "Fewest API tasks."
  type        = number
  default     = 2
}

variable "api_max_capacity" {
  description = "Most API tasks (each holds up to db_pool_size database connections)."
  type        = number
  default     = 6
}

variable "web_cpu" {
  description = "CPU units of an nginx task."
  type        = number
  default     = 256
}

variable "web_memory" {
  description = "Memory of an nginx task, MiB."
  type        = number
  default     = 512
}

variable "web_min_capacity" {
  description = "Fewest nginx tasks."
  type        = number
  default     = 2
}

variable "web_max_capacity" {
  description = "Most nginx tasks."
  type        = number
  default     = 4
}

variable "db_pool_size" {
  description = "DB_POOL_SIZE of each API task; the DbPoolSaturated alarm fires at 90% of api_max_capacity x this."
  type        = number
  default     = 10

  validation {
    condition     = var.db_pool_size >= 1 && var.db_pool_size <= 100 && floor(var.db_pool_size) == var.db_pool_size
    error_message = "db_pool_size must be a whole number from 1 to 100 (var.db_pool_size)."
  }
}

variable "access_token_ttl" {
  description = "ACCESS_TOKEN_TTL of the API (90, 90s, 15m, 24h, 7d)."
  type        = string
  default     = "15m"

  validation {
    condition     = can(regex("^[0-9]+[smhd]?$", var.access_token_ttl))
    error_message = "access_token_ttl must be a duration such as 3600, 15m, 24h or 7d (var.access_token_ttl)."
  }
}

variable "rust_log" {
  description = "RUST_LOG filter of the API."
  type        = string
  default     = "info"

  validation {
    condition     = can(regex("^[A-Za-z0-9_:=,.-]+$", var.rust_log))
    error_message = "rust_log must be a RUST_LOG filter such as info or info,tweets=debug (var.rust_log)."
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "Initial database storage, GiB."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  description = "Ceiling of database storage autoscaling, GiB."
  type        = number
  default     = 100
}

variable "db_backup_retention_days" {
  description = "Days of automated backups, and so of point-in-time restore."
  type        = number
  default     = 14
}

variable "deletion_protection" {
  description = "Deletion protection of the database and the load balancer. Turn off only to tear the environment down."
  type        = bool
  default     = true
}

variable "enable_redis" {
  description = "Run ElastiCache and give the API REDIS_URL, so that every API task shares the rate-limit counts."
  type        = bool
  default     = true
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.micro"
}

variable "redis_num_cache_clusters" {
  description = "ElastiCache nodes (primary plus replicas); 2 or more fails over automatically."
  type        = number
  default     = 2
}

variable "media_store" {
  description = "Where the API keeps uploaded images: s3 (MEDIA_STORE=s3: a private bucket behind CloudFront, MEDIA_URL its URL) or efs (MEDIA_STORE=local: an EFS file system the API writes and nginx serves at /media/)."
  type        = string
  default     = "s3"

  validation {
    condition     = contains(["s3", "efs"], var.media_store)
    error_message = "media_store must be s3 or efs (var.media_store)."
  }
}

variable "media_migration" {
  description = "Keep both media stores while tweets media migrate --to s3 copies the images from EFS to S3: the bucket exists, the API's task role may use it and EFS stays mounted (read-write: the copy keeps its journal there). Turn off once the copy is complete."
  type        = bool
  default     = false
}

variable "media_price_class" {
  description = "CloudFront price class of the media distribution: PriceClass_100 (North America, Europe, Israel), PriceClass_200 or PriceClass_All."
  type        = string
  default     = "PriceClass_100"
}

variable "media_domain_name" {
  description = "Custom host name of the media distribution (for example media.tweets.example.com), with media_certificate_arn; null serves images from its *.cloudfront.net name."
  type        = string
  default     = null
}

variable "media_certificate_arn" {
  description = "ARN of an issued ACM certificate for media_domain_name in us-east-1 (CloudFront takes certificates from there only, whatever aws_region is)."
  type        = string
  default     = null
}

variable "log_retention_in_days" {
  description = "Days CloudWatch Logs keeps the logs."
  type        = number
  default     = 365
}

variable "alarm_email_addresses" {
  description = "E-mail addresses that get the alarms."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags on every resource, on top of Project, Environment and ManagedBy."
  type        = map(string)
  default     = {}
}
