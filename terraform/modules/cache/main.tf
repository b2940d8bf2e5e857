locals {
  name = "${var.name_prefix}-redis"
  port = 6379

  labels = merge(
    {
      "tweets.component" = "redis"
      "tweets.stack"     = var.name_prefix
      "managed-by"       = "terraform"
    },
    var.labels,
  )
}

resource "docker_image" "redis" {
  name         = var.image
  keep_locally = true
}

resource "docker_container" "redis" {
  name     = local.name
  hostname = local.name
  image    = docker_image.redis.image_id
  restart  = var.restart_policy

  # The image's redis user, so the entrypoint does not need root to drop to it.
  user = "999:1000"

  # A cache of rate-limit windows: nothing is worth persisting. `--save`
  # directly followed by another option means `save ""` to redis-server 7
  # (the provider refuses empty arguments, so compose's `--save ""` cannot
  # be written here).
  command = [
    "redis-server",
    "--save",
    "--appendonly", "no",
    "--maxmemory", "${var.maxmemory_mb}mb",
    "--maxmemory-policy", var.maxmemory_policy,
  ]

  dynamic "networks_advanced" {
    for_each = toset(var.networks)

    content {
      name = networks_advanced.value
    }
  }

  healthcheck {
    test     = ["CMD", "redis-cli", "ping"]
    interval = "5s"
    timeout  = "3s"
    retries  = 10
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
