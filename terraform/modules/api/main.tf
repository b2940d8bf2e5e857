locals {
  build_context = coalesce(var.build_context, "${path.root}/../../..")

  # Files the binary is built from: a change to any of them rebuilds the image.
  source_files = sort(concat(
    tolist(fileset(local.build_context, "backend/**")),
    tolist(fileset(local.build_context, "migrations/**")),
    tolist(fileset(local.build_context, "{Cargo.toml,Cargo.lock}")),
    [var.dockerfile],
  ))

  service_alias   = "${var.name_prefix}-api"
  replica_aliases = [for i in range(var.replicas) : "${var.name_prefix}-api-${i}"]

  unit_seconds     = { "" = 1, s = 1, m = 60, h = 3600, d = 86400 }
  shutdown_seconds = tonumber(regex("^[0-9]+", var.shutdown_timeout)) * local.unit_seconds[regex("[smhd]?$", var.shutdown_timeout)]

  # The variables .env.example documents; null ones are left unset.
  env = {
    APP_ENV                     = var.app_env
    POSTGRES_HOST               = var.postgres_host
    POSTGRES_PORT               = tostring(var.postgres_port)
    POSTGRES_DB                 = var.postgres_db
    POSTGRES_USER               = var.postgres_user
    POSTGRES_PASSWORD           = var.postgres_password
    PGSSLMODE                   = var.database_sslmode
    JWT_SECRET                  = var.jwt_secret
    ACCESS_TOKEN_TTL            = var.access_token_ttl
    REFRESH_TOKEN_TTL           = var.refresh_token_ttl
    PASSWORD_HASH_CONCURRENCY   = var.hash_concurrency == null ? null : tostring(var.hash_concurrency)
    PASSWORD_HASH_QUEUE_TIMEOUT = var.hash_queue_timeout
    BIND_ADDR                   = "0.0.0.0:${var.http_port}"
    METRICS_ADDR                = "0.0.0.0:${var.metrics_port}"
    BODY_READ_TIMEOUT           = var.body_read_timeout
    BODY_IDLE_TIMEOUT           = var.body_idle_timeout
    MAX_CONNECTIONS_PER_WORKER  = tostring(var.max_connections_per_worker)
    HTTP_WORKERS                = var.http_workers == null ? null : tostring(var.http_workers)
    MEDIA_ROOT                  = var.media_root
    MEDIA_URL                   = var.media_url
    CORS_ALLOWED_ORIGINS        = length(var.cors_allowed_origins) == 0 ? null : join(",", var.cors_allowed_origins)
    DB_POOL_SIZE                = tostring(var.db_pool_size)
    DB_POOL_TIMEOUT             = var.db_pool_timeout
    RATE_LIMIT_AUTH_PER_MINUTE  = tostring(var.rate_limit_auth_per_minute)
    RATE_LIMIT_POSTS_PER_MINUTE = tostring(var.rate_limit_posts_per_minute)
    REDIS_URL                   = var.redis_url
    TRUST_FORWARDED_FOR         = tostring(var.trust_forwarded_for)
    RUST_LOG                    = var.rust_log
    LOG_FORMAT                  = var.log_format
    SHUTDOWN_TIMEOUT            = var.shutdown_timeout
  }
  env_list = sort([for k, v in local.env : "${k}=${v}" if v != null])

  labels = merge(
    {
      "tweets.component" = "api"
      "tweets.stack"     = var.name_prefix
      "managed-by"       = "terraform"
    },
    var.labels,
  )

  log_opts = {
    "max-size" = var.log_max_size
    "max-file" = tostring(var.log_max_files)
  }

  # Everything that makes Docker recreate a replica (memory and restart are
  # updated in place and stay out). Its hash renews each replica's generation,
  # and with it the container name, so the replacement can start before the
  # old container, which still holds the old name, is removed.
  replacement_spec = {
    image            = docker_image.api.image_id
    env              = local.env_list
    networks         = sort(var.networks)
    media            = [docker_volume.media.name, var.media_root]
    cpus             = var.cpus
    labels           = local.labels
    log_opts         = local.log_opts
    shutdown_seconds = local.shutdown_seconds
    wait_timeout     = var.health_wait_timeout
    service_alias    = local.service_alias
  }
}

resource "docker_image" "api" {
  name = "${var.image_name}:${var.image_tag}"

  build {
    context    = local.build_context
    dockerfile = var.dockerfile
    build_args = {
      GIT_SHA = var.git_sha
    }
    label = local.labels
  }

  triggers = {
    source  = sha1(join("", [for f in local.source_files : filesha1("${local.build_context}/${f}")]))
    git_sha = var.git_sha
  }

  # A rebuild moves the tag to the new image; removing the old one on replace
  # would remove the tag with it. Old images are left to `docker image prune`.
  keep_locally = true
}

# Uploaded images, shared by every replica (and mounted read-only by web).
resource "docker_volume" "media" {
  name = "${var.name_prefix}-media"

  dynamic "labels" {
    for_each = local.labels

    content {
      label = labels.key
      value = labels.value
    }
  }

  # Docker cannot relabel a volume, only delete and recreate it, which would
  # delete every uploaded image: labels are set once, at creation.
  lifecycle {
    ignore_changes = [labels]
  }
}

# One generation per replica: a random id that names the replica's container.
# It is renewed, and the container replaced under a new name, whenever the
# replacement spec changes; `terraform apply -replace` on a generation rolls
# that replica alone.
resource "terraform_data" "generation" {
  count = var.replicas

  triggers_replace = sha256(jsonencode(local.replacement_spec))
}

resource "docker_container" "api" {
  count = var.replicas

  name     = "${local.replica_aliases[count.index]}-${substr(terraform_data.generation[count.index].id, 0, 8)}"
  hostname = local.replica_aliases[count.index]
  image    = docker_image.api.image_id
  restart  = var.restart_policy
  env      = local.env_list

  # Stable names: <prefix>-api-<index> for this replica (nginx's upstream and
  # Prometheus's targets use it, so neither changes when a replica is
  # replaced), <prefix>-api for all of them.
  dynamic "networks_advanced" {
    for_each = toset(var.networks)

    content {
      name    = networks_advanced.value
      aliases = [local.replica_aliases[count.index], local.service_alias]
    }
  }

  volumes {
    volume_name    = docker_volume.media.name
    container_path = var.media_root
  }

  healthcheck {
    test         = ["CMD", "tweets", "healthcheck"]
    interval     = "10s"
    timeout      = "3s"
    retries      = 3
    start_period = "30s"
  }
  wait         = true
  wait_timeout = var.health_wait_timeout

  memory = var.memory_mb
  cpus   = tostring(var.cpus)

  read_only     = true
  security_opts = ["no-new-privileges:true"]
  capabilities {
    drop = ["ALL"]
  }

  stop_signal           = "SIGTERM"
  destroy_grace_seconds = local.shutdown_seconds + 5

  log_driver = "json-file"
  log_opts   = local.log_opts

  dynamic "labels" {
    for_each = merge(local.labels, { "tweets.replica" = tostring(count.index) })

    content {
      label = labels.key
      value = labels.value
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}
