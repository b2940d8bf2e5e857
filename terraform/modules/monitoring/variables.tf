variable "name_prefix" {
  description = "Prefix of every Docker object the module creates, e.g. tweets-prod: containers are {name_prefix}-prometheus, -alertmanager, -grafana and -postgres-exporter."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-32 lowercase letters, digits or hyphens, start with a letter and end with a letter or digit (var.name_prefix)."
  }
}

variable "networks" {
  description = "Names of the Docker networks to attach the containers to: the one the API replicas and the database are on, and a non-internal one for the published ports."
  type        = list(string)

  validation {
    condition     = length(var.networks) > 0 && alltrue([for n in var.networks : can(regex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$", n))])
    error_message = "networks must list at least one Docker network name (var.networks)."
  }
}

variable "config_dir" {
  description = "Path of docker/monitoring (prometheus.yml, alert_rules.yml, alertmanager.yml, grafana/), uploaded into the containers. Null means docker/monitoring three directories above the root module."
  type        = string
  default     = null

  validation {
    condition     = var.config_dir == null || try(length(trimspace(var.config_dir)) > 0, false)
    error_message = "config_dir must be a non-empty path to docker/monitoring, or null (var.config_dir)."
  }
}

variable "metrics_targets" {
  description = "host:port of every API replica's metrics listener (the api module's metrics_targets output)."
  type        = list(string)

  validation {
    condition     = length(var.metrics_targets) >= 1 && alltrue([for t in var.metrics_targets : can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:[0-9]{1,5}$", t))])
    error_message = "metrics_targets must list at least one host:port pair such as tweets-prod-api-0:9100 (var.metrics_targets)."
  }
}

variable "postgres_host" {
  description = "Host name of PostgreSQL, for postgres-exporter (the database module's host output)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$", var.postgres_host))
    error_message = "postgres_host must be a host name such as tweets-prod-db (var.postgres_host)."
  }
}

variable "postgres_port" {
  description = "Port of PostgreSQL."
  type        = number
  default     = 5432

  validation {
    condition     = var.postgres_port >= 1 && var.postgres_port <= 65535 && floor(var.postgres_port) == var.postgres_port
    error_message = "postgres_port must be a port number between 1 and 65535 (var.postgres_port)."
  }
}

variable "postgres_db" {
  description = "Database postgres-exporter connects to."
  type        = string
  default     = "tweets"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.postgres_db))
    error_message = "postgres_db must be 1-63 lowercase letters, digits or underscores, not starting with a digit (var.postgres_db)."
  }
}

variable "postgres_user" {
  description = "Role postgres-exporter connects as."
  type        = string
  default     = "tweets"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_]{0,62}$", var.postgres_user))
    error_message = "postgres_user must be 1-63 lowercase letters, digits or underscores, not starting with a digit (var.postgres_user)."
  }
}

variable "postgres_password" {
  description = "Password of postgres_user, at least 12 characters."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.postgres_password) >= 12
    error_message = "postgres_password must be at least 12 characters (var.postgres_password)."
  }
}

variable "grafana_admin_password" {
  description = "Password of Grafana's admin user (GF_SECURITY_ADMIN_PASSWORD), at least 12 characters. Read when the Grafana volume is new; later changes go through Grafana itself."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.grafana_admin_password) >= 12
    error_message = "grafana_admin_password must be at least 12 characters (var.grafana_admin_password)."
  }

  validation {
    condition     = lower(var.grafana_admin_password) != "admin" && length(distinct(split("", var.grafana_admin_password))) >= 6
    error_message = "grafana_admin_password must not be a repeated or default value: use at least 6 distinct characters (var.grafana_admin_password)."
  }
}

variable "prometheus_image" {
  description = "Prometheus image, pinned to a version tag (the same one compose.monitoring.yaml runs)."
  type        = string
  default     = "prom/prometheus:v3.5.0"

  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.prometheus_image)) && !endswith(var.prometheus_image, ":latest")
    error_message = "prometheus_image must name a pinned tag such as prom/prometheus:v3.5.0, not :latest or no tag at all (var.prometheus_image)."
  }
}

variable "alertmanager_image" {
  description = "Alertmanager image, pinned to a version tag."
  type        = string
  default     = "prom/alertmanager:v0.28.1"

  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.alertmanager_image)) && !endswith(var.alertmanager_image, ":latest")
    error_message = "alertmanager_image must name a pinned tag such as prom/alertmanager:v0.28.1, not :latest or no tag at all (var.alertmanager_image)."
  }
}

variable "grafana_image" {
  description = "Grafana image, pinned to a version tag."
  type        = string
  default     = "grafana/grafana:12.0.2"

  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.grafana_image)) && !endswith(var.grafana_image, ":latest")
    error_message = "grafana_image must name a pinned tag such as grafana/grafana:12.0.2, not :latest or no tag at all (var.grafana_image)."
  }
}

variable "postgres_exporter_image" {
  description = "postgres-exporter image, pinned to a version tag."
  type        = string
  default     = "quay.io/prometheuscommunity/postgres-exporter:v0.17.1"

  validation {
    condition     = can(regex("^[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.postgres_exporter_image)) && !endswith(var.postgres_exporter_image, ":latest")
    error_message = "postgres_exporter_image must name a pinned tag such as quay.io/prometheuscommunity/postgres-exporter:v0.17.1, not :latest or no tag at all (var.postgres_exporter_image)."
  }
}

variable "prometheus_retention" {
  description = "How long Prometheus keeps samples (--storage.tsdb.retention.time), a Prometheus duration such as 15d or 12h."
  type        = string
  default     = "15d"

  validation {
    condition     = can(regex("^([0-9]+(y|w|d|h|m|s|ms))+$", var.prometheus_retention)) && !can(regex("^0+[a-z]+$", var.prometheus_retention))
    error_message = "prometheus_retention must be a non-zero Prometheus duration such as 15d, 12h or 1w2d (var.prometheus_retention)."
  }
}

variable "host_ip" {
  description = "Host address the web UIs are published on; 127.0.0.1 keeps them on this machine (reach them over SSH tunnels)."
  type        = string
  default     = "127.0.0.1"

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.host_ip)) && can(cidrhost("${var.host_ip}/32", 0))
    error_message = "host_ip must be an IPv4 address such as 127.0.0.1 (var.host_ip)."
  }
}

variable "prometheus_port" {
  description = "Host port of Prometheus's web UI."
  type        = number
  default     = 9090

  validation {
    condition     = var.prometheus_port >= 1 && var.prometheus_port <= 65535 && floor(var.prometheus_port) == var.prometheus_port
    error_message = "prometheus_port must be a port number between 1 and 65535 (var.prometheus_port)."
  }
}

variable "alertmanager_port" {
  description = "Host port of Alertmanager's web UI."
  type        = number
  default     = 9093

  validation {
    condition     = var.alertmanager_port >= 1 && var.alertmanager_port <= 65535 && floor(var.alertmanager_port) == var.alertmanager_port
    error_message = "alertmanager_port must be a port number between 1 and 65535 (var.alertmanager_port)."
  }

  validation {
    condition     = var.alertmanager_port != var.prometheus_port
    error_message = "alertmanager_port must differ from var.prometheus_port (var.alertmanager_port)."
  }
}

variable "grafana_port" {
  description = "Host port of Grafana."
  type        = number
  default     = 3000

  validation {
    condition     = var.grafana_port >= 1 && var.grafana_port <= 65535 && floor(var.grafana_port) == var.grafana_port
    error_message = "grafana_port must be a port number between 1 and 65535 (var.grafana_port)."
  }

  validation {
    condition     = var.grafana_port != var.prometheus_port && var.grafana_port != var.alertmanager_port
    error_message = "grafana_port must differ from var.prometheus_port and var.alertmanager_port (var.grafana_port)."
  }
}

variable "prometheus_memory_mb" {
  description = "Memory limit of Prometheus, in MiB."
  type        = number
  default     = 512

  validation {
    condition     = var.prometheus_memory_mb >= 64 && floor(var.prometheus_memory_mb) == var.prometheus_memory_mb
    error_message = "prometheus_memory_mb must be a whole number of MiB, at least 64 (var.prometheus_memory_mb)."
  }
}

variable "alertmanager_memory_mb" {
  description = "Memory limit of Alertmanager, in MiB."
  type        = number
  default     = 128

  validation {
    condition     = var.alertmanager_memory_mb >= 32 && floor(var.alertmanager_memory_mb) == var.alertmanager_memory_mb
    error_message = "alertmanager_memory_mb must be a whole number of MiB, at least 32 (var.alertmanager_memory_mb)."
  }
}

variable "grafana_memory_mb" {
  description = "Memory limit of Grafana, in MiB."
  type        = number
  default     = 256

  validation {
    condition     = var.grafana_memory_mb >= 64 && floor(var.grafana_memory_mb) == var.grafana_memory_mb
    error_message = "grafana_memory_mb must be a whole number of MiB, at least 64 (var.grafana_memory_mb)."
  }
}

variable "postgres_exporter_memory_mb" {
  description = "Memory limit of postgres-exporter, in MiB."
  type        = number
  default     = 64

  validation {
    condition     = var.postgres_exporter_memory_mb >= 16 && floor(var.postgres_exporter_memory_mb) == var.postgres_exporter_memory_mb
    error_message = "postgres_exporter_memory_mb must be a whole number of MiB, at least 16 (var.postgres_exporter_memory_mb)."
  }
}

variable "restart_policy" {
  description = "Docker restart policy of the containers: no, on-failure, always or unless-stopped."
  type        = string
  default     = "unless-stopped"

  validation {
    condition     = contains(["no", "on-failure", "always", "unless-stopped"], var.restart_policy)
    error_message = "restart_policy must be one of no, on-failure, always, unless-stopped (var.restart_policy)."
  }
}

variable "log_max_size" {
  description = "Size at which the json-file log driver rotates each container's log, e.g. 10m."
  type        = string
  default     = "10m"

  validation {
    condition     = can(regex("^[1-9][0-9]*[kmg]$", var.log_max_size))
    error_message = "log_max_size must be a size such as 500k, 10m or 1g (var.log_max_size)."
  }
}

variable "log_max_files" {
  description = "Rotated log files the json-file log driver keeps per container."
  type        = number
  default     = 5

  validation {
    condition     = var.log_max_files >= 1 && var.log_max_files <= 100 && floor(var.log_max_files) == var.log_max_files
    error_message = "log_max_files must be a whole number between 1 and 100 (var.log_max_files)."
  }
}

variable "labels" {
  description = "Extra Docker labels for the containers and volumes, merged over the module's own."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.labels) : can(regex("^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$", k))])
    error_message = "label keys must be lowercase letters, digits, dots, underscores or hyphens, starting and ending with a letter or digit (var.labels)."
  }
}
