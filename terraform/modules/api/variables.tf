variable "name_prefix" {
  description = "Prefix of every Docker object the module creates, e.g. tweets-prod: replicas answer to {name_prefix}-api-{index} on their networks."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-32 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit (var.name_prefix)."
  }
}

variable "replicas" {
  description = "Number of API containers. More than one should come with redis_url, so rate limits are shared."
  type        = number
  default     = 1

  validation {
    condition     = var.replicas >= 1 && var.replicas <= 10 && floor(var.replicas) == var.replicas
    error_message = "api replicas must be a whole number between 1 and 10 (var.replicas)."
  }
}

variable "build_context" {
  description = "Path of the repository root, the Docker build context. Null means three directories above the root module (terraform/environments/{env}, so the repository)."
  type        = string
  default     = null

  validation {
    condition     = var.build_context == null || try(length(trimspace(var.build_context)) > 0, false)
    error_message = "build_context must be a non-empty path to the repository root, or null (var.build_context)."
  }
}

variable "dockerfile" {
  description = "Dockerfile of the API image, relative to build_context."
  type        = string
  default     = "docker/api.Dockerfile"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$", var.dockerfile)) && !startswith(var.dockerfile, "../")
    error_message = "dockerfile must be a relative path inside the build context, such as docker/api.Dockerfile (var.dockerfile)."
  }
}

variable "image_name" {
  description = "Repository name the built image is tagged with."
  type        = string
  default     = "tweets-api"

  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*$", var.image_name))
    error_message = "image_name must be a Docker repository name: lowercase letters, digits and single separators (. _ - /) (var.image_name)."
  }
}

variable "image_tag" {
  description = "Tag the built image gets (the compose files' TWEETS_TAG). Containers run the image by ID, so retagging never changes a running replica."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a Docker tag: up to 128 letters, digits, underscores, dots or hyphens, not starting with a dot or hyphen (var.image_tag)."
  }
}

variable "git_sha" {
  description = "Commit the image is built from (build argument GIT_SHA, shown in build_info). Changing it rebuilds the image."
  type        = string
  default     = "unknown"

  validation {
    condition     = can(regex("^([0-9a-f]{7,40}|unknown)$", var.git_sha))
    error_message = "git_sha must be 7-40 lowercase hexadecimal digits of a commit, or unknown (var.git_sha)."
  }
}

variable "networks" {
  description = "Names of the Docker networks to attach every replica to (normally the internal backend network, shared with the database)."
  type        = list(string)

  validation {
    condition     = length(var.networks) > 0 && alltrue([for n in var.networks : can(regex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", n))])
    error_message = "networks must list at least one Docker network name (var.networks)."
  }
}

variable "app_env" {
  description = "APP_ENV: production refuses a weak JWT_SECRET and a wildcard CORS origin at start."
  type        = string
  default     = "production"

  validation {
    condition     = contains(["development", "production"], var.app_env)
    error_message = "app_env must be development or production (var.app_env)."
  }
}

variable "postgres_host" {
  description = "POSTGRES_HOST: host name of PostgreSQL on the shared network (the database module's host output)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$", var.postgres_host))
    error_message = "postgres_host must be a host name such as tweets-prod-db (var.postgres_host)."
  }
}

variable "postgres_port" {
  description = "POSTGRES_PORT: port of PostgreSQL."
  type        = number
  default     = 5432

  validation {
    condition     = var.postgres_port >= 1 && var.postgres_port <= 65535 && floor(var.postgres_port) == var.postgres_port
    error_message = "postgres_port must be a port number between 1 and 65535 (var.postgres_port)."
  }
}

variable "postgres_db" {
  description = "POSTGRES_DB: name of the application database."
  type        = string
  default     = "tweets"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.postgres_db))
    error_message = "postgres_db must be 1-63 lowercase letters, digits or underscores, not starting with a digit (var.postgres_db)."
  }
}

variable "postgres_user" {
  description = "POSTGRES_USER: role the API connects as."
  type        = string
  default     = "tweets"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.postgres_user))
    error_message = "postgres_user must be 1-63 lowercase letters, digits or underscores, not starting with a digit (var.postgres_user)."
  }
}

variable "postgres_password" {
  description = "POSTGRES_PASSWORD: password of postgres_user, at least 12 characters."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.postgres_password) >= 12
    error_message = "postgres_password must be at least 12 characters (var.postgres_password)."
  }
}

variable "database_sslmode" {
  description = "PGSSLMODE: TLS to PostgreSQL (libpq's sslmode): disable, allow, prefer, require, verify-ca or verify-full; tweets check --deploy flags anything weaker than require. Null leaves it unset (libpq's default, prefer). The database module's PostgreSQL serves no TLS, so require and stricter are for a database that does."
  type        = string
  default     = null

  validation {
    condition     = var.database_sslmode == null || try(contains(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"], var.database_sslmode), false)
    error_message = "database_sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full, or null (var.database_sslmode)."
  }
}

variable "jwt_secret" {
  description = "JWT_SECRET: HS256 key signing access tokens. At least 32 characters with 10 distinct ones, and not the .env.example value (the API refuses those in production); e.g. openssl rand -base64 48."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.jwt_secret) >= 32
    error_message = "jwt_secret must be at least 32 characters, e.g. the output of openssl rand -base64 48 (var.jwt_secret)."
  }

  validation {
    condition     = length(distinct(split("", var.jwt_secret))) >= 10 && var.jwt_secret != "change-me-to-a-random-string-of-at-least-32-characters"
    error_message = "jwt_secret must be random: at least 10 distinct characters and not the .env.example placeholder (var.jwt_secret)."
  }
}

variable "access_token_ttl" {
  description = "ACCESS_TOKEN_TTL: lifetime of an access token, whole seconds with an optional unit (90, 90s, 15m, 24h, 7d), at least 60 seconds. Short-lived: clients renew it with their refresh token, and tweets check --deploy flags more than a day."
  type        = string
  default     = "15m"

  validation {
    condition     = can(regex("^[0-9]+[smhd]?$", var.access_token_ttl))
    error_message = "access_token_ttl must be a duration such as 3600, 90s, 15m, 24h or 7d (var.access_token_ttl)."
  }

  validation {
    condition     = try(tonumber(regex("^[0-9]+", var.access_token_ttl)) * lookup({ s = 1, m = 60, h = 3600, d = 86400 }, regex("[smhd]?$", var.access_token_ttl), 1) >= 60, false)
    error_message = "access_token_ttl must be at least 60 seconds, as the API requires (var.access_token_ttl)."
  }
}

variable "refresh_token_ttl" {
  description = "REFRESH_TOKEN_TTL: lifetime of a session's refresh token, renewed by every refresh (90, 90s, 15m, 24h, 7d); not shorter than access_token_ttl. Refresh tokens work once: presenting a used one revokes its whole session."
  type        = string
  default     = "30d"

  validation {
    condition     = can(regex("^[0-9]+[smhd]?$", var.refresh_token_ttl))
    error_message = "refresh_token_ttl must be a duration such as 86400, 24h or 30d (var.refresh_token_ttl)."
  }

  validation {
    condition     = try(tonumber(regex("^[0-9]+", var.refresh_token_ttl)) * lookup({ s = 1, m = 60, h = 3600, d = 86400 }, regex("[smhd]?$", var.refresh_token_ttl), 1) >= tonumber(regex("^[0-9]+", var.access_token_ttl)) * lookup({ s = 1, m = 60, h = 3600, d = 86400 }, regex("[smhd]?$", var.access_token_ttl), 1), false)
    error_message = "refresh_token_ttl must not be shorter than var.access_token_ttl: the API refuses to start (var.refresh_token_ttl)."
  }
}

variable "hash_concurrency" {
  description = "PASSWORD_HASH_CONCURRENCY: Argon2 password hashes each replica runs at once (each holds 19 MiB, so they must fit in memory_mb); the rest queue. Null leaves it unset, and the API runs one per CPU core it sees."
  type        = number
  default     = null

  validation {
    condition     = var.hash_concurrency == null || try(var.hash_concurrency >= 1 && var.hash_concurrency <= 64 && floor(var.hash_concurrency) == var.hash_concurrency, false)
    error_message = "hash_concurrency must be a whole number between 1 and 64, or null (var.hash_concurrency)."
  }

  validation {
    condition     = var.hash_concurrency == null || try(var.hash_concurrency * 19 < var.memory_mb, false)
    error_message = "hash_concurrency times 19 MiB must stay below var.memory_mb, or the replica runs out of memory while hashing (var.hash_concurrency)."
  }
}

variable "hash_queue_timeout" {
  description = "PASSWORD_HASH_QUEUE_TIMEOUT: how long a sign-in waits for a free password-hashing slot before the API answers 503 (90, 90s, 15m, 24h, 7d)."
  type        = string
  default     = "5s"

  validation {
    condition     = can(regex("^[0-9]*[1-9][0-9]*[smhd]?$", var.hash_queue_timeout))
    error_message = "hash_queue_timeout must be a non-zero duration such as 5, 5s or 1m (var.hash_queue_timeout)."
  }
}

variable "http_port" {
  description = "Port the API listens on inside the container (BIND_ADDR 0.0.0.0:{http_port}); nginx proxies to it. Never published on the host."
  type        = number
  default     = 8080

  validation {
    condition     = var.http_port >= 1 && var.http_port <= 65535 && floor(var.http_port) == var.http_port
    error_message = "http_port must be a port number between 1 and 65535 (var.http_port)."
  }
}

variable "metrics_port" {
  description = "Port of the separate metrics listener (METRICS_ADDR 0.0.0.0:{metrics_port}), scraped by Prometheus over the internal network and never published on the host."
  type        = number
  default     = 9100

  validation {
    condition     = var.metrics_port >= 1 && var.metrics_port <= 65535 && floor(var.metrics_port) == var.metrics_port
    error_message = "metrics_port must be a port number between 1 and 65535 (var.metrics_port)."
  }

  validation {
    condition     = var.metrics_port != var.http_port
    error_message = "metrics_port must differ from var.http_port: the metrics listener is a socket of its own (var.metrics_port)."
  }
}

variable "body_read_timeout" {
  description = "BODY_READ_TIMEOUT: time a request body has to arrive whole, at least 1 second (90, 90s, 15m, 24h, 7d); a slower one gets 408 and the connection is closed."
  type        = string
  default     = "60s"

  validation {
    condition     = can(regex("^[0-9]*[1-9][0-9]*[smhd]?$", var.body_read_timeout))
    error_message = "body_read_timeout must be a duration of at least 1 second, such as 60, 60s or 2m (var.body_read_timeout)."
  }
}

variable "body_idle_timeout" {
  description = "BODY_IDLE_TIMEOUT: longest pause between two pieces of a request body, at least 1 second (90, 90s, 15m, 24h, 7d); a longer one gets 408 and the connection is closed."
  type        = string
  default     = "10s"

  validation {
    condition     = can(regex("^[0-9]*[1-9][0-9]*[smhd]?$", var.body_idle_timeout))
    error_message = "body_idle_timeout must be a duration of at least 1 second, such as 10, 10s or 1m (var.body_idle_timeout)."
  }
}

variable "max_connections_per_worker" {
  description = "MAX_CONNECTIONS_PER_WORKER: connections one HTTP worker holds at once; more wait to be accepted."
  type        = number
  default     = 1024

  validation {
    condition     = var.max_connections_per_worker >= 1 && var.max_connections_per_worker <= 100000 && floor(var.max_connections_per_worker) == var.max_connections_per_worker
    error_message = "max_connections_per_worker must be a whole number between 1 and 100000 (var.max_connections_per_worker)."
  }
}

variable "http_workers" {
  description = "HTTP_WORKERS: HTTP worker threads per replica. Null means one per CPU core of the host."
  type        = number
  default     = null

  validation {
    condition     = var.http_workers == null || try(var.http_workers >= 1 && var.http_workers <= 256 && floor(var.http_workers) == var.http_workers, false)
    error_message = "http_workers must be a whole number between 1 and 256, or null (var.http_workers)."
  }
}

variable "media_root" {
  description = "MEDIA_ROOT: where the shared media volume is mounted in the container. The image prepares /var/lib/tweets/media for its user; another path must be writable by uid 10001."
  type        = string
  default     = "/var/lib/tweets/media"

  validation {
    condition     = can(regex("^(/[A-Za-z0-9._-]+)+$", var.media_root))
    error_message = "media_root must be an absolute path without a trailing slash, such as /var/lib/tweets/media (var.media_root)."
  }
}

variable "media_url" {
  description = "MEDIA_URL: prefix of the links to uploaded images, a path (/media/, served by the web module) or an absolute URL ending in a slash."
  type        = string
  default     = "/media/"

  validation {
    condition     = can(regex("^(/|https?://[^/[:space:]]+/)([^[:space:]]*/)?$", var.media_url))
    error_message = "media_url must be a path or an http(s) URL ending with a slash, such as /media/ or https://cdn.example.com/media/ (var.media_url)."
  }
}

variable "cors_allowed_origins" {
  description = "CORS_ALLOWED_ORIGINS: origins allowed to call the API from a browser. Empty behind nginx (same origin); the wildcard is refused with app_env production."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.cors_allowed_origins : o == "*" || can(regex("^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$", o))])
    error_message = "cors_allowed_origins must hold origins such as https://app.example.com (scheme and host, no path) (var.cors_allowed_origins)."
  }

  validation {
    condition     = var.app_env != "production" || !contains(var.cors_allowed_origins, "*")
    error_message = "cors_allowed_origins must not contain * when var.app_env is production: the API refuses to start (var.cors_allowed_origins)."
  }
}

variable "db_pool_size" {
  description = "DB_POOL_SIZE: database connections in each replica's pool; replicas x db_pool_size may be at most 90 of PostgreSQL's 100 connections."
  type        = number
  default     = 10

  validation {
    condition     = var.db_pool_size >= 1 && var.db_pool_size <= 100 && floor(var.db_pool_size) == var.db_pool_size
    error_message = "db_pool_size must be a whole number between 1 and 100 (var.db_pool_size)."
  }

  validation {
    condition     = var.db_pool_size * var.replicas <= 90
    error_message = "db_pool_size times var.replicas must be at most 90, leaving room in PostgreSQL's 100 connections for migrations, the exporter and psql (var.db_pool_size)."
  }
}

variable "db_pool_timeout" {
  description = "DB_POOL_TIMEOUT: how long a request waits for a pooled connection before the API answers 503 (90, 90s, 15m, 24h, 7d)."
  type        = string
  default     = "5s"

  validation {
    condition     = can(regex("^[0-9]*[1-9][0-9]*[smhd]?$", var.db_pool_timeout))
    error_message = "db_pool_timeout must be a non-zero duration such as 5, 5s or 1m (var.db_pool_timeout)."
  }
}

variable "rate_limit_auth_per_minute" {
  description = "RATE_LIMIT_AUTH_PER_MINUTE: registrations and logins per client address and minute; 0 switches the limit off (test environments only)."
  type        = number
  default     = 30

  validation {
    condition     = var.rate_limit_auth_per_minute >= 0 && var.rate_limit_auth_per_minute <= 100000 && floor(var.rate_limit_auth_per_minute) == var.rate_limit_auth_per_minute
    error_message = "rate_limit_auth_per_minute must be a whole number between 0 and 100000 (var.rate_limit_auth_per_minute)."
  }
}

variable "rate_limit_posts_per_minute" {
  description = "RATE_LIMIT_POSTS_PER_MINUTE: tweets per user and minute; 0 switches the limit off."
  type        = number
  default     = 60

  validation {
    condition     = var.rate_limit_posts_per_minute >= 0 && var.rate_limit_posts_per_minute <= 100000 && floor(var.rate_limit_posts_per_minute) == var.rate_limit_posts_per_minute
    error_message = "rate_limit_posts_per_minute must be a whole number between 0 and 100000 (var.rate_limit_posts_per_minute)."
  }
}

variable "redis_url" {
  description = "REDIS_URL: Redis holding the rate-limit counts every replica shares (the cache module's url output). Null: each replica counts on its own."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.redis_url == null || can(regex("^rediss?://[^[:space:]]+$", var.redis_url))
    error_message = "redis_url must be a redis:// or rediss:// URL, or null (var.redis_url)."
  }
}

variable "trust_forwarded_for" {
  description = "TRUST_FORWARDED_FOR: take the client address from Forwarded / X-Forwarded-For. True behind the web module's nginx, which overwrites those headers."
  type        = bool
  default     = true
}

variable "rust_log" {
  description = "RUST_LOG: log filter, e.g. info or info,tweets=debug."
  type        = string
  default     = "info"

  validation {
    condition     = can(regex("^[A-Za-z0-9_:=.,-]+$", var.rust_log))
    error_message = "rust_log must be a RUST_LOG filter such as info or info,tweets=debug (var.rust_log)."
  }
}

variable "log_format" {
  description = "LOG_FORMAT: text for people, json for machines."
  type        = string
  default     = "json"

  validation {
    condition     = contains(["text", "json"], var.log_format)
    error_message = "log_format must be text or json (var.log_format)."
  }
}

variable "shutdown_timeout" {
  description = "SHUTDOWN_TIMEOUT: how long SIGTERM waits for in-flight requests (90, 90s, 15m, 24h, 7d). Terraform gives a replica this long plus 5 seconds before removing it; at most 10 minutes."
  type        = string
  default     = "30s"

  validation {
    condition     = can(regex("^[0-9]+[smhd]?$", var.shutdown_timeout))
    error_message = "shutdown_timeout must be a duration such as 30, 30s or 2m (var.shutdown_timeout)."
  }

  validation {
    condition     = try(tonumber(regex("^[0-9]+", var.shutdown_timeout)) * lookup({ s = 1, m = 60, h = 3600, d = 86400 }, regex("[smhd]?$", var.shutdown_timeout), 1) <= 600, false)
    error_message = "shutdown_timeout must be at most 10 minutes (var.shutdown_timeout)."
  }
}

variable "memory_mb" {
  description = "Memory limit of each replica, in MiB."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_mb >= 64 && floor(var.memory_mb) == var.memory_mb
    error_message = "memory_mb must be a whole number of MiB, at least 64 (var.memory_mb)."
  }
}

variable "cpus" {
  description = "CPU limit of each replica, in CPUs (0.5 is half of one)."
  type        = number
  default     = 1

  validation {
    condition     = var.cpus > 0 && var.cpus <= 64
    error_message = "cpus must be greater than 0 and at most 64 (var.cpus)."
  }
}

variable "restart_policy" {
  description = "Docker restart policy of the replicas: no, on-failure, always or unless-stopped."
  type        = string
  default     = "unless-stopped"

  validation {
    condition     = contains(["no", "on-failure", "always", "unless-stopped"], var.restart_policy)
    error_message = "restart_policy must be one of no, on-failure, always, unless-stopped (var.restart_policy)."
  }
}

variable "health_wait_timeout" {
  description = "Seconds Terraform waits for a new replica to report healthy before it removes the one it replaces (the replica restarts until the database answers)."
  type        = number
  default     = 180

  validation {
    condition     = var.health_wait_timeout >= 10 && var.health_wait_timeout <= 900 && floor(var.health_wait_timeout) == var.health_wait_timeout
    error_message = "health_wait_timeout must be a whole number of seconds between 10 and 900 (var.health_wait_timeout)."
  }
}

variable "log_max_size" {
  description = "Size at which the json-file log driver rotates a replica's log, e.g. 10m."
  type        = string
  default     = "10m"

  validation {
    condition     = can(regex("^[1-9][0-9]*[kmg]$", var.log_max_size))
    error_message = "log_max_size must be a size such as 500k, 10m or 1g (var.log_max_size)."
  }
}

variable "log_max_files" {
  description = "Rotated log files the json-file log driver keeps per replica."
  type        = number
  default     = 5

  validation {
    condition     = var.log_max_files >= 1 && var.log_max_files <= 100 && floor(var.log_max_files) == var.log_max_files
    error_message = "log_max_files must be a whole number between 1 and 100 (var.log_max_files)."
  }
}

variable "labels" {
  description = "Extra Docker labels for the image, the replicas and the media volume, merged over the module's own."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.labels) : can(regex("^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$", k))])
    error_message = "label keys must be lowercase letters, digits, dots, underscores or hyphens, starting and ending with a letter or digit (var.labels)."
  }
}
