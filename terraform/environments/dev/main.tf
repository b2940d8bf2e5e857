# The whole stack on one Docker host. This file is the same in every Docker
# environment (dev, prod): they differ only by the values in their
# terraform.tfvars.

provider "docker" {
  host = var.docker_host
}

locals {
  name_prefix = "tweets-${var.environment}"

  # The repository, as the build context of the images and the source of the
  # monitoring configuration. Relative, so the state does not depend on where
  # the repository is checked out.
  repo_root = "${path.root}/../../.."

  labels = {
    "tweets.environment" = var.environment
  }
}

# Published ports live here: nginx, and the monitoring UIs.
module "edge_network" {
  source = "../../modules/network"

  name   = "${local.name_prefix}-edge"
  labels = local.labels
}

# Database, cache, API replicas and scrapes: no way out to the internet.
module "backend_network" {
  source = "../../modules/network"

  name     = "${local.name_prefix}-backend"
  internal = true
  labels   = local.labels
}

module "database" {
  source = "../../modules/database"

  name_prefix    = local.name_prefix
  password       = var.postgres_password
  networks       = [module.backend_network.name]
  memory_mb      = var.db_memory_mb
  cpus           = var.db_cpus
  shm_size_mb    = var.db_shm_size_mb
  restart_policy = var.restart_policy
  labels         = local.labels
}

module "cache" {
  source = "../../modules/cache"
  count  = var.redis_enabled ? 1 : 0

  name_prefix    = local.name_prefix
  networks       = [module.backend_network.name]
  restart_policy = var.restart_policy
  labels         = local.labels
}

module "api" {
  source = "../../modules/api"

  name_prefix   = local.name_prefix
  replicas      = var.api_replicas
  build_context = local.repo_root
  image_tag     = var.image_tag
  git_sha       = var.git_sha
  networks      = [module.backend_network.name]

  app_env           = var.app_env
  postgres_host     = module.database.host
  postgres_port     = module.database.port
  postgres_db       = module.database.database_name
  postgres_user     = module.database.username
  postgres_password = var.postgres_password
  database_sslmode  = var.api_database_sslmode
  jwt_secret        = var.jwt_secret
  access_token_ttl  = var.access_token_ttl
  refresh_token_ttl = var.refresh_token_ttl
  db_pool_size      = var.api_db_pool_size
  redis_url         = one(module.cache[*].url)
  rust_log          = var.api_rust_log
  log_format        = var.api_log_format

  hash_concurrency           = var.api_hash_concurrency
  hash_queue_timeout         = var.api_hash_queue_timeout
  body_read_timeout          = var.api_body_read_timeout
  body_idle_timeout          = var.api_body_idle_timeout
  max_connections_per_worker = var.api_max_connections_per_worker

  memory_mb      = var.api_memory_mb
  cpus           = var.api_cpus
  restart_policy = var.restart_policy
  labels         = local.labels
}

module "web" {
  source = "../../modules/web"

  name_prefix        = local.name_prefix
  build_context      = local.repo_root
  image_tag          = var.image_tag
  networks           = [module.edge_network.name, module.backend_network.name]
  upstream_addresses = module.api.upstream_addresses
  host_ip            = var.web_host_ip
  host_port          = var.web_host_port
  media_volume_name  = module.api.media_volume_name
  media_root         = module.api.media_root
  memory_mb          = var.web_memory_mb
  cpus               = var.web_cpus
  restart_policy     = var.restart_policy
  labels             = local.labels
}

module "monitoring" {
  source = "../../modules/monitoring"
  count  = var.monitoring_enabled ? 1 : 0

  name_prefix            = local.name_prefix
  networks               = [module.edge_network.name, module.backend_network.name]
  config_dir             = "${local.repo_root}/docker/monitoring"
  metrics_targets        = module.api.metrics_targets
  postgres_host          = module.database.host
  postgres_port          = module.database.port
  postgres_db            = module.database.database_name
  postgres_user          = module.database.username
  postgres_password      = var.postgres_password
  grafana_admin_password = var.grafana_admin_password
  prometheus_port        = var.prometheus_host_port
  alertmanager_port      = var.alertmanager_host_port
  grafana_port           = var.grafana_host_port
  restart_policy         = var.restart_policy
  labels                 = local.labels
}
