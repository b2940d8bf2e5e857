# Production on AWS: the Compose stack of compose.yaml + compose.prod.yaml,
# with managed services in place of the db and redis containers.
#
#   internet -> ALB (WAF, TLS) -> /api/*, /healthz, /readyz -> api tasks (Fargate)
#                              -> everything else          -> web tasks (nginx: SPA)
#   internet -> CloudFront (OAC) -> S3 media bucket               (media_store = "s3")
#   api tasks -> RDS PostgreSQL 16 (TLS), ElastiCache (TLS + AUTH),
#                S3 (media, task role) or EFS (media_store = "efs")
#   web tasks -> api tasks through Cloud Map DNS; EFS read-only for /media/ with "efs"
#
# This file only wires modules together; each module documents itself.

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(
      {
        Project     = "tweets"
        Environment = "production"
        ManagedBy   = "terraform"
      },
      var.tags,
    )
  }
}

locals {
  media_root   = "/var/lib/tweets/media"
  http_port    = 8080
  metrics_port = 9100
  # RDS writes its logs to these groups; observability creates them first.
  rds_log_types = ["postgresql", "upgrade"]

  # Media stores that exist: the one the API uses (media_store) and, while
  # media_migration copies the images from EFS to S3, both. While EFS exists
  # the API mounts it read-write (tweets media migrate --to s3 keeps its
  # journal, .migrated-s3, in MEDIA_ROOT) and nginx read-only.
  media_efs = var.media_store == "efs" || var.media_migration
  media_s3  = var.media_store == "s3" || var.media_migration

  # The API's media settings (.env.example): S3_BUCKET and S3_REGION whenever
  # the bucket exists (the migration's one-off task needs them), MEDIA_STORE
  # and MEDIA_URL from the store in use. MEDIA_ROOT always (the image's
  # directory without EFS: serve creates it at start). No S3 keys or
  # S3_ENDPOINT: object_store takes the task role's credentials.
  api_media_environment = merge(
    local.media_s3 ? { S3_BUCKET = module.media_s3[0].bucket_name, S3_REGION = module.media_s3[0].bucket_region } : {},
    {
      MEDIA_ROOT  = local.media_root
      MEDIA_STORE = var.media_store == "s3" ? "s3" : "local"
      MEDIA_URL   = var.media_store == "s3" ? module.media_s3[0].media_url : "/media/"
    },
  )
}

module "observability" {
  source = "../../modules/observability"

  name = var.name
  log_groups = merge(
    {
      api       = { name = "/ecs/${var.name}/api" }
      web       = { name = "/ecs/${var.name}/web" }
      flow-logs = { name = "/aws/vpc/${var.name}/flow-logs" }
      waf       = { name = "aws-waf-logs-${var.name}" }
      redis     = { name = "/aws/elasticache/${var.name}/slow-log" }
    },
    { for log in local.rds_log_types : "rds-${log}" => { name = "/aws/rds/instance/${var.name}/${log}" } },
  )
  default_log_retention_in_days = var.log_retention_in_days
  alarm_email_addresses         = var.alarm_email_addresses

  load_balancer_arn_suffix    = module.alb.arn_suffix
  api_target_group_arn_suffix = module.alb.target_group_arn_suffixes["api"]
  web_target_group_arn_suffix = module.alb.target_group_arn_suffixes["web"]
  ecs_cluster_name            = module.api.cluster_name
  api_service_name            = module.api.service_name
  db_instance_identifier      = module.rds.db_instance_identifier
  # 90% of the connections the API's pools can hold at full scale.
  db_connections_threshold = ceil(0.9 * var.api_max_capacity * var.db_pool_size)
}

module "vpc" {
  source = "../../modules/vpc"

  name                     = var.name
  vpc_cidr                 = var.vpc_cidr
  availability_zones       = var.availability_zones
  nat_gateway_mode         = var.nat_gateway_mode
  flow_log_destination_arn = module.observability.log_group_arns["flow-logs"]
  private_dns_namespace    = "${var.name}.internal"
}

module "secrets" {
  source = "../../modules/secrets"

  name = var.name
  database = {
    host     = module.rds.address
    port     = module.rds.port
    name     = module.rds.database_name
    username = module.rds.master_username
  }
  redis = var.enable_redis ? {
    host = module.redis[0].primary_endpoint_address
    port = module.redis[0].port
  } : null
}

module "alb" {
  source = "../../modules/alb"

  name                = var.name
  vpc_id              = module.vpc.vpc_id
  vpc_cidr_block      = module.vpc.vpc_cidr_block
  subnet_ids          = module.vpc.public_subnet_ids
  certificate_arn     = var.certificate_arn
  allowed_cidr_blocks = var.allowed_cidr_blocks
  deletion_protection = var.deletion_protection
  waf_log_group_arn   = module.observability.log_group_arns["waf"]

  target_groups = {
    api = { port = local.http_port, health_check_path = "/readyz" }
    # nginx's own check: an API outage must not take the site's static part down with it.
    web = { port = local.http_port, health_check_path = "/nginx-health" }
  }
  default_target_group = "web"
  # The API directly, as nginx would proxy it: its rate limits then see the
  # client address the load balancer appends to X-Forwarded-For.
  routing_rules = [
    { target_group = "api", path_patterns = ["/api/*", "/healthz", "/readyz"], priority = 10 },
  ]
}

module "rds" {
  source = "../../modules/rds"

  name                       = var.name
  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.private_subnet_ids
  allowed_security_group_ids = { api = module.api.security_group_id }
  instance_class             = var.db_instance_class
  allocated_storage          = var.db_allocated_storage
  max_allocated_storage      = var.db_max_allocated_storage
  master_password            = module.secrets.database_password
  kms_key_arn                = module.secrets.kms_key_arn
  backup_retention_period    = var.db_backup_retention_days
  deletion_protection        = var.deletion_protection
  cloudwatch_log_groups      = { for log in local.rds_log_types : log => module.observability.log_group_names["rds-${log}"] }
}

module "redis" {
  source = "../../modules/redis"
  count  = var.enable_redis ? 1 : 0

  name                       = var.name
  vpc_id                     = module.vpc.vpc_id
  subnet_ids                 = module.vpc.private_subnet_ids
  allowed_security_group_ids = { api = module.api.security_group_id }
  node_type                  = var.redis_node_type
  num_cache_clusters         = var.redis_num_cache_clusters
  auth_token                 = module.secrets.redis_auth_token
  kms_key_arn                = module.secrets.kms_key_arn
  slow_log_group_name        = module.observability.log_group_names["redis"]
}

# Uploaded images on EFS (MEDIA_STORE=local, served by nginx at /media/).
module "media" {
  source = "../../modules/media"
  count  = local.media_efs ? 1 : 0

  name        = var.name
  vpc_id      = module.vpc.vpc_id
  subnet_ids  = module.vpc.private_subnet_ids
  kms_key_arn = module.secrets.kms_key_arn
  client_security_group_ids = {
    api = module.api.security_group_id
    web = module.web.security_group_id
  }
  writer_role_arns = [module.api.task_role_arn]
  reader_role_arns = [module.web.task_role_arn]
}

# Uploaded images in S3 behind CloudFront (MEDIA_STORE=s3): any number of API
# tasks write, browsers read from the CDN, nothing mounts a file system.
module "media_s3" {
  source = "../../modules/media-s3"
  count  = local.media_s3 ? 1 : 0

  name            = var.name
  price_class     = var.media_price_class
  domain_name     = var.media_domain_name
  certificate_arn = var.media_certificate_arn
  # The bucket goes with the environment only when the database may too.
  force_destroy = !var.deletion_protection
}

module "api" {
  source = "../../modules/ecs-service"

  name           = "${var.name}-api"
  create_cluster = true
  cluster_name   = var.name
  image          = var.api_image
  cpu            = var.api_cpu
  memory         = var.api_memory
  user           = "10001:10001"

  container_port             = local.http_port
  additional_container_ports = [local.metrics_port]
  health_check_command       = ["CMD", "tweets", "healthcheck"]
  # Migrations run before the server listens.
  health_check_grace_period_seconds = 120

  # As .env.example documents them, for production behind a load balancer.
  environment = merge(local.api_media_environment, {
    APP_ENV                     = "production"
    BIND_ADDR                   = "0.0.0.0:${local.http_port}"
    METRICS_ADDR                = "0.0.0.0:${local.metrics_port}"
    TRUST_FORWARDED_FOR         = "true"
    LOG_FORMAT                  = "json"
    RUST_LOG                    = var.rust_log
    DB_POOL_SIZE                = tostring(var.db_pool_size)
    DB_POOL_TIMEOUT             = "5s"
    ACCESS_TOKEN_TTL            = var.access_token_ttl
    SHUTDOWN_TIMEOUT            = "30s"
    RATE_LIMIT_AUTH_PER_MINUTE  = "30"
    RATE_LIMIT_POSTS_PER_MINUTE = "60"
  })
  # JWT_SECRET, DATABASE_URL (sslmode=require) and, with Redis, REDIS_URL (rediss://).
  secrets              = module.secrets.api_secrets
  secrets_kms_key_arns = [module.secrets.kms_key_arn]
  ecr_repository_arns  = var.ecr_repository_arns
  # S3 media: put, get and delete images, list the bucket (the migration).
  task_role_policy_arns = local.media_s3 ? { media = module.media_s3[0].api_policy_arn } : {}

  efs_volume = local.media_efs ? {
    file_system_id  = module.media[0].file_system_id
    access_point_id = module.media[0].access_point_id
    container_path  = local.media_root
  } : null
  log_group_name = module.observability.log_group_names["api"]

  vpc_id     = module.vpc.vpc_id
  subnet_ids = module.vpc.private_subnet_ids
  ingress_rules = {
    alb = { port = local.http_port, security_group_id = module.alb.security_group_id }
    web = { port = local.http_port, security_group_id = module.web.security_group_id }
  }
  egress_rules = merge(
    { postgres = { port = module.rds.port, security_group_id = module.rds.security_group_id } },
    local.media_efs ? { media = { port = 2049, security_group_id = module.media[0].security_group_id } } : {},
    var.enable_redis ? { redis = { port = module.redis[0].port, security_group_id = module.redis[0].security_group_id } } : {},
  )

  load_balancer = {
    target_group_arn = module.alb.target_group_arns["api"]
    resource_label   = module.alb.resource_labels["api"]
  }
  service_discovery = { namespace_id = module.vpc.service_discovery_namespace_id }

  desired_count = var.api_min_capacity
  min_capacity  = var.api_min_capacity
  max_capacity  = var.api_max_capacity
}

module "web" {
  source = "../../modules/ecs-service"

  name         = "${var.name}-web"
  cluster_name = module.api.cluster_name
  image        = var.web_image
  cpu          = var.web_cpu
  memory       = var.web_memory
  user         = "101:101"

  container_port       = local.http_port
  health_check_command = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:${local.http_port}/nginx-health"]
  # nginx renders its config into conf.d at start; both need writing.
  writable_paths = ["/tmp", "/etc/nginx/conf.d"]

  # docker/web.Dockerfile's template variables: the API through Cloud Map,
  # re-resolved through the VPC's DNS as tasks come and go.
  environment = {
    NGINX_PORT          = tostring(local.http_port)
    API_UPSTREAM        = "${module.api.service_name}.${module.vpc.service_discovery_namespace_name}:${local.http_port}"
    API_UPSTREAM_PARAMS = "resolve"
    NGINX_RESOLVER      = "169.254.169.253"
    TWEETS_MEDIA_ROOT   = local.media_root
    # The page's Content-Security-Policy lets images load from the CDN.
    MEDIA_IMG_SRC = local.media_s3 ? trimsuffix(module.media_s3[0].media_url, "/") : "'self'"
  }
  ecr_repository_arns = var.ecr_repository_arns

  # nginx serves /media/ from EFS while it exists; with S3 only, browsers get
  # the images from CloudFront and nginx mounts nothing.
  efs_volume = local.media_efs ? {
    file_system_id  = module.media[0].file_system_id
    access_point_id = module.media[0].access_point_id
    container_path  = local.media_root
    read_only       = true
  } : null
  log_group_name = module.observability.log_group_names["web"]

  vpc_id        = module.vpc.vpc_id
  subnet_ids    = module.vpc.private_subnet_ids
  ingress_rules = { alb = { port = local.http_port, security_group_id = module.alb.security_group_id } }
  egress_rules = merge(
    { api = { port = local.http_port, security_group_id = module.api.security_group_id } },
    local.media_efs ? { media = { port = 2049, security_group_id = module.media[0].security_group_id } } : {},
  )

  load_balancer = {
    target_group_arn = module.alb.target_group_arns["web"]
    resource_label   = module.alb.resource_labels["web"]
  }

  desired_count = var.web_min_capacity
  min_capacity  = var.web_min_capacity
  max_capacity  = var.web_max_capacity
}
