locals {
  config_dir = coalesce(var.config_dir, "${path.root}/../../../docker/monitoring")

  # prometheus.yml as the repository has it, minus its api job (DNS discovery
  # of Compose's `api` service); the api job comes from scrape.d/api.yml,
  # rendered from the replicas' metrics targets. The other jobs and the
  # alerting target reach postgres-exporter and alertmanager by the network
  # aliases below, the names compose.monitoring.yaml gives them.
  prometheus_repo_config = yamldecode(file("${local.config_dir}/prometheus.yml"))
  prometheus_config = merge(local.prometheus_repo_config, {
    scrape_config_files = ["/etc/prometheus/scrape.d/*.yml"]
    scrape_configs      = [for job in local.prometheus_repo_config.scrape_configs : job if job.job_name != "api"]
  })
  api_scrape_config = templatefile("${path.module}/templates/api-scrape.yml.tftpl", {
    targets = var.metrics_targets
  })

  prometheus_files = {
    "/etc/prometheus/prometheus.yml"   = yamlencode(local.prometheus_config)
    "/etc/prometheus/alert_rules.yml"  = file("${local.config_dir}/alert_rules.yml")
    "/etc/prometheus/scrape.d/api.yml" = local.api_scrape_config
  }

  grafana_files = merge(
    { for f in fileset("${local.config_dir}/grafana/provisioning", "**") : "/etc/grafana/provisioning/${f}" => file("${local.config_dir}/grafana/provisioning/${f}") },
    { for f in fileset("${local.config_dir}/grafana/dashboards", "**") : "/var/lib/grafana/dashboards/${f}" => file("${local.config_dir}/grafana/dashboards/${f}") },
  )

  labels = merge(
    {
      "tweets.component" = "monitoring"
      "tweets.stack"     = var.name_prefix
      "managed-by"       = "terraform"
    },
    var.labels,
  )

  log_opts = {
    "max-size" = var.log_max_size
    "max-file" = tostring(var.log_max_files)
  }
}

resource "docker_image" "prometheus" {
  name         = var.prometheus_image
  keep_locally = true
}

resource "docker_image" "alertmanager" {
  name         = var.alertmanager_image
  keep_locally = true
}

resource "docker_image" "grafana" {
  name         = var.grafana_image
  keep_locally = true
}

resource "docker_image" "postgres_exporter" {
  name         = var.postgres_exporter_image
  keep_locally = true
}

resource "docker_volume" "data" {
  for_each = toset(["prometheus", "alertmanager", "grafana"])

  name = "${var.name_prefix}-${each.key}-data"

  dynamic "labels" {
    for_each = local.labels

    content {
      label = labels.key
      value = labels.value
    }
  }

  # Docker cannot relabel a volume, only delete and recreate it, which would
  # delete the metrics history and Grafana's database: labels are set once,
  # at creation.
  lifecycle {
    ignore_changes = [labels]
  }
}

# The containers below take their configuration as uploads, which Docker
# refuses into a read-only root filesystem; they run unprivileged users with
# no capabilities instead.

resource "docker_container" "prometheus" {
  name     = "${var.name_prefix}-prometheus"
  hostname = "${var.name_prefix}-prometheus"
  image    = docker_image.prometheus.image_id
  restart  = var.restart_policy

  command = [
    "--config.file=/etc/prometheus/prometheus.yml",
    "--storage.tsdb.path=/prometheus",
    "--storage.tsdb.retention.time=${var.prometheus_retention}",
  ]

  dynamic "upload" {
    for_each = local.prometheus_files

    content {
      file    = upload.key
      content = upload.value
    }
  }

  volumes {
    volume_name    = docker_volume.data["prometheus"].name
    container_path = "/prometheus"
  }

  ports {
    internal = 9090
    external = var.prometheus_port
    ip       = var.host_ip
  }

  dynamic "networks_advanced" {
    for_each = toset(var.networks)

    content {
      name    = networks_advanced.value
      aliases = ["prometheus"]
    }
  }

  healthcheck {
    test     = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/ready"]
    interval = "10s"
    timeout  = "3s"
    retries  = 5
  }
  wait         = true
  wait_timeout = 120

  memory        = var.prometheus_memory_mb
  security_opts = ["no-new-privileges:true"]
  capabilities {
    drop = ["ALL"]
  }

  log_driver = "json-file"
  log_opts   = local.log_opts

  dynamic "labels" {
    for_each = local.labels

    content {
      label = labels.key
      value = labels.value
    }
  }
}

resource "docker_container" "alertmanager" {
  name     = "${var.name_prefix}-alertmanager"
  hostname = "${var.name_prefix}-alertmanager"
  image    = docker_image.alertmanager.image_id
  restart  = var.restart_policy

  command = ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]

  upload {
    file    = "/etc/alertmanager/alertmanager.yml"
    content = file("${local.config_dir}/alertmanager.yml")
  }

  volumes {
    volume_name    = docker_volume.data["alertmanager"].name
    container_path = "/alertmanager"
  }

  ports {
    internal = 9093
    external = var.alertmanager_port
    ip       = var.host_ip
  }

  dynamic "networks_advanced" {
    for_each = toset(var.networks)

    content {
      name    = networks_advanced.value
      aliases = ["alertmanager"]
    }
  }

  healthcheck {
    test     = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9093/-/ready"]
    interval = "10s"
    timeout  = "3s"
    retries  = 5
  }
  wait         = true
  wait_timeout = 120

  memory        = var.alertmanager_memory_mb
  security_opts = ["no-new-privileges:true"]
  capabilities {
    drop = ["ALL"]
  }

  log_driver = "json-file"
  log_opts   = local.log_opts

  dynamic "labels" {
    for_each = local.labels

    content {
      label = labels.key
      value = labels.value
    }
  }
}

resource "docker_container" "grafana" {
  name     = "${var.name_prefix}-grafana"
  hostname = "${var.name_prefix}-grafana"
  image    = docker_image.grafana.image_id
  restart  = var.restart_policy

  env = [
    "GF_SECURITY_ADMIN_PASSWORD=${var.grafana_admin_password}",
    "GF_USERS_ALLOW_SIGN_UP=false",
    "GF_AUTH_ANONYMOUS_ENABLED=false",
  ]

  # Provisioning (the Prometheus data source at http://prometheus:9090 and the
  # dashboard provider) and the dashboards, from docker/monitoring/grafana.
  dynamic "upload" {
    for_each = local.grafana_files

    content {
      file    = upload.key
      content = upload.value
    }
  }

  volumes {
    volume_name    = docker_volume.data["grafana"].name
    container_path = "/var/lib/grafana"
  }

  ports {
    internal = 3000
    external = var.grafana_port
    ip       = var.host_ip
  }

  dynamic "networks_advanced" {
    for_each = toset(var.networks)

    content {
      name    = networks_advanced.value
      aliases = ["grafana"]
    }
  }

  healthcheck {
    test         = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/api/health"]
    interval     = "10s"
    timeout      = "3s"
    retries      = 5
    start_period = "20s"
  }
  wait         = true
  wait_timeout = 180

  memory        = var.grafana_memory_mb
  security_opts = ["no-new-privileges:true"]
  capabilities {
    drop = ["ALL"]
  }

  log_driver = "json-file"
  log_opts   = local.log_opts

  dynamic "labels" {
    for_each = local.labels

    content {
      label = labels.key
      value = labels.value
    }
  }

  depends_on = [docker_container.prometheus]
}

resource "docker_container" "postgres_exporter" {
  name     = "${var.name_prefix}-postgres-exporter"
  hostname = "${var.name_prefix}-postgres-exporter"
  image    = docker_image.postgres_exporter.image_id
  restart  = var.restart_policy

  env = [
    "DATA_SOURCE_URI=${var.postgres_host}:${var.postgres_port}/${var.postgres_db}?sslmode=disable",
    "DATA_SOURCE_USER=${var.postgres_user}",
    "DATA_SOURCE_PASS=${var.postgres_password}",
  ]

  dynamic "networks_advanced" {
    for_each = toset(var.networks)

    content {
      name    = networks_advanced.value
      aliases = ["postgres-exporter"]
    }
  }

  memory        = var.postgres_exporter_memory_mb
  read_only     = true
  security_opts = ["no-new-privileges:true"]
  capabilities {
    drop = ["ALL"]
  }

  log_driver = "json-file"
  log_opts   = local.log_opts

  dynamic "labels" {
    for_each = local.labels

    content {
      label = labels.key
      value = labels.value
    }
  }
}
