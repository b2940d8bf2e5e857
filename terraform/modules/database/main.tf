locals {
  name = "${var.name_prefix}-db"
  port = 5432

  labels = merge(
    {
      "tweets.component" = "db"
      "tweets.stack"     = var.name_prefix
      "managed-by"       = "terraform"
    },
    var.labels,
  )
}

resource "docker_image" "postgres" {
  name = var.image
  # Other stacks on the same host may run the same image.
  keep_locally = true
}

resource "docker_volume" "data" {
  name = "${local.name}-data"

  dynamic "labels" {
    for_each = local.labels

    content {
      label = labels.key
      value = labels.value
    }
  }

  # Docker cannot relabel a volume, only delete and recreate it, which would
  # delete the data directory: labels are set once, at creation.
  lifecycle {
    ignore_changes = [labels]
  }
}

resource "docker_container" "db" {
  name     = local.name
  hostname = local.name
  image    = docker_image.postgres.image_id
  restart  = var.restart_policy

  env = [
    "POSTGRES_DB=${var.database_name}",
    "POSTGRES_USER=${var.username}",
    "POSTGRES_PASSWORD=${var.password}",
  ]

  volumes {
    volume_name    = docker_volume.data.name
    container_path = "/var/lib/postgresql/data"
  }

  dynamic "networks_advanced" {
    for_each = toset(var.networks)

    content {
      name = networks_advanced.value
    }
  }

  healthcheck {
    test         = ["CMD-SHELL", "pg_isready -U ${var.username} -d ${var.database_name}"]
    interval     = "5s"
    timeout      = "3s"
    retries      = 20
    start_period = "10s"
  }
  wait         = true
  wait_timeout = var.health_wait_timeout

  memory   = var.memory_mb
  cpus     = tostring(var.cpus)
  shm_size = var.shm_size_mb

  # The entrypoint starts as root to fix the data directory's ownership, then
  # drops to the postgres user: no new privileges, but the default capabilities.
  security_opts = ["no-new-privileges:true"]

  # SIGINT is PostgreSQL's "fast" shutdown; give it time to checkpoint.
  stop_signal           = "SIGINT"
  destroy_grace_seconds = 60

  log_driver = "json-file"
  log_opts = {
    "max-size" = var.log_max_size
    "max-file" = tostring(var.log_max_files)
  }

  dynamic "labels" {
    for_each = local.labels

    content {
      label = labels.key
      value = labels.value
    }
  }
}
