locals {
  labels = merge(
    {
      "tweets.network" = var.name
      "managed-by"     = "terraform"
    },
    var.labels,
  )
}

resource "docker_network" "this" {
  name     = var.name
  driver   = "bridge"
  internal = var.internal

  dynamic "ipam_config" {
    for_each = var.subnet == null ? [] : [var.subnet]

    content {
      subnet  = ipam_config.value
      gateway = var.gateway
    }
  }

  dynamic "labels" {
    for_each = local.labels

    content {
      label = labels.key
      value = labels.value
    }
  }

  # Relabelling means replacing the network, which Docker refuses while
  # containers are attached: labels are set once, at creation.
  lifecycle {
    ignore_changes = [labels]
  }
}
