# Values that can be wrong are checked by the modules they are passed to (their
# error messages name the module's variable, e.g. var.replicas for
# api_replicas); only the variables the modules cannot see are checked here.

variable "environment" {
  description = "Name of the environment (dev, prod, ...): every Docker object is named tweets-{environment}-*. Set in terraform.tfvars."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment))
    error_message = "environment must be 2-12 lowercase letters or digits, starting with a letter (var.environment)."
  }
}

variable "docker_host" {
  description = "Docker daemon to deploy to, e.g. unix:///var/run/docker.sock or ssh://deploy@host. Null uses DOCKER_HOST or the local socket."
  type        = string
  default     = null
}

variable "postgres_password" {
  description = "Password of the database owner role, shared by the API and postgres-exporter (at least 12 characters)."
  type        = string
  sensitive   = true
}

variable "jwt_secret" {
  description = "Key signing the API's access tokens (at least 32 random characters, e.g. openssl rand -base64 48)."
  type        = string
  sensitive   = true
}

variable "grafana_admin_password" {
  description = "Password of Grafana's admin user; needed only with monitoring_enabled (at least 12 characters)."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = !var.monitoring_enabled || try(length(var.grafana_admin_password) >= 12, false)
    error_message = "grafana_admin_password must be set, at least 12 characters, when var.monitoring_enabled is true (var.grafana_admin_password)."
  }
}

variable "app_env" {
  description = "APP_ENV of the API: development or production."
  type        = string
  default     = "production"
}

variable "image_tag" {
  description = "Tag of the tweets-api and tweets-web images built."
  type        = string
  default     = "latest"
}

variable "git_sha" {
  description = "Commit the API image is built from (e.g. $(git rev-parse --short=12 HEAD)); unknown when not given."
  type        = string
  default     = "unknown"
}

variable "api_replicas" {
  description = "Number of API containers (1-10)."
  type        = number
  default     = 1
}

variable "api_memory_mb" {
  description = "Memory limit of each API container, in MiB."
  type        = number
  default     = 512
}

variable "api_cpus" {
  description = "CPU limit of each API container."
  type        = number
  default     = 1
}

variable "api_db_pool_size" {
  description = "Database connections per API container; api_replicas x api_db_pool_size must stay at most 90."
  type        = number
  default     = 10
}

variable "api_log_format" {
  description = "LOG_FORMAT of the API: text or json."
  type        = string
  default     = "text"
}

variable "api_rust_log" {
  description = "RUST_LOG filter of the API."
  type        = string
  default     = "info"
}

variable "access_token_ttl" {
  description = "Lifetime of an access token (90, 90s, 15m, 24h, 7d); short, clients renew it with their refresh token."
  type        = string
  default     = "15m"
}

variable "refresh_token_ttl" {
  description = "Lifetime of a session's refresh token, renewed by every refresh (90, 90s, 15m, 24h, 7d); not shorter than access_token_ttl."
  type        = string
  default     = "30d"
}

variable "api_hash_concurrency" {
  description = "Argon2 password hashes each API container runs at once (1-64, 19 MiB each, within api_memory_mb). Null: one per CPU core."
  type        = number
  default     = null
}

variable "api_hash_queue_timeout" {
  description = "How long a sign-in waits for a free password-hashing slot before a 503 (90, 90s, 15m, 24h, 7d)."
  type        = string
  default     = "5s"
}

variable "api_body_read_timeout" {
  description = "Time a request body has to arrive whole before a 408 (at least 1 second; 90, 90s, 15m, 24h, 7d)."
  type        = string
  default     = "60s"
}

variable "api_body_idle_timeout" {
  description = "Longest pause within a request body before a 408 (at least 1 second; 90, 90s, 15m, 24h, 7d)."
  type        = string
  default     = "10s"
}

variable "api_max_connections_per_worker" {
  description = "Connections one HTTP worker of the API holds at once (1-100000); more wait to be accepted."
  type        = number
  default     = 1024
}

variable "api_database_sslmode" {
  description = "PGSSLMODE of the API: disable, allow, prefer, require, verify-ca or verify-full. Null: unset (libpq's prefer); the database module serves no TLS."
  type        = string
  default     = null
}

variable "web_host_ip" {
  description = "Host address nginx is published on (0.0.0.0: every interface)."
  type        = string
  default     = "0.0.0.0"
}

variable "web_host_port" {
  description = "Host port nginx is published on."
  type        = number
  default     = 8080
}

variable "web_memory_mb" {
  description = "Memory limit of nginx, in MiB."
  type        = number
  default     = 256
}

variable "web_cpus" {
  description = "CPU limit of nginx."
  type        = number
  default     = 1
}

variable "db_memory_mb" {
  description = "Memory limit of PostgreSQL, in MiB."
  type        = number
  default     = 1024
}

variable "db_cpus" {
  description = "CPU limit of PostgreSQL."
  type        = number
  default     = 2
}

variable "db_shm_size_mb" {
  description = "Size of PostgreSQL's /dev/shm, in MiB (below db_memory_mb)."
  type        = number
  default     = 256
}

variable "redis_enabled" {
  description = "Run Redis and point the API's REDIS_URL at it, so replicas share rate limits. Worth it from two replicas on."
  type        = bool
  default     = false
}

variable "monitoring_enabled" {
  description = "Run Prometheus, Alertmanager, Grafana and postgres-exporter (needs grafana_admin_password)."
  type        = bool
  default     = false
}

variable "prometheus_host_port" {
  description = "Host port of Prometheus (published on 127.0.0.1)."
  type        = number
  default     = 9090
}

variable "alertmanager_host_port" {
  description = "Host port of Alertmanager (published on 127.0.0.1)."
  type        = number
  default     = 9093
}

variable "grafana_host_port" {
  description = "Host port of Grafana (published on 127.0.0.1)."
  type        = number
  default     = 3000
}

variable "restart_policy" {
  description = "Docker restart policy of every container: no, on-failure, always or unless-stopped."
  type        = string
  default     = "unless-stopped"
}
