locals {
  build_context = coalesce(var.build_context, "${path.root}/../../..")

  # What the image is built from (see docker/web.Dockerfile).
  source_files = sort(concat(
    tolist(fileset(local.build_context, "frontend/{index.html,favicon.svg}")),
    tolist(fileset(local.build_context, "frontend/css/**")),
    tolist(fileset(local.build_context, "frontend/js/**")),
    tolist(fileset(local.build_context, "docker/nginx/**")),
    [var.dockerfile],
  ))

  name = "${var.name_prefix}-web"

  # The port nginx listens on inside the container (the image's NGINX_PORT).
  container_port = 8080

  # One `server <address> <params>;` line per API replica. The image renders
  # docker/nginx/templates/*.template with envsubst at start, and the
  # tweets_api upstream there has a single
  # `server ${API_UPSTREAM} ${API_UPSTREAM_PARAMS};` line: API_UPSTREAM
  # carries the rendered lines without the first `server ` and the last `;`,
  # API_UPSTREAM_PARAMS is empty, and envsubst puts back exactly the rendered
  # lines. Configuration through the environment works with the read-only
  # root filesystem, which `upload` does not.
  upstream_config = templatefile("${path.module}/templates/upstream.conf.tftpl", {
    addresses = var.upstream_addresses
    params    = var.upstream_server_params
  })
  upstream_servers = join(" ", compact(split("\n", local.upstream_config)))
  api_upstream     = trimsuffix(trimprefix(local.upstream_servers, "server "), ";")

  nginx_templates     = "${local.build_context}/docker/nginx/templates"
  nginx_upstream_line = "server $${API_UPSTREAM} $${API_UPSTREAM_PARAMS};"
  nginx_upstream_templates = [
    for f in fileset(local.nginx_templates, "*.template") : f
    if strcontains(file("${local.nginx_templates}/${f}"), local.nginx_upstream_line)
  ]

  labels = merge(
    {
      "tweets.component" = "web"
      "tweets.stack"     = var.name_prefix
      "managed-by"       = "terraform"
    },
    var.labels,
  )
}

resource "docker_image" "web" {
  name = "${var.image_name}:${var.image_tag}"

  build {
    context    = local.build_context
    dockerfile = var.dockerfile
    label      = local.labels
  }

  triggers = {
    source = sha1(join("", [for f in local.source_files : filesha1("${local.build_context}/${f}")]))
  }

  keep_locally = true
}

resource "docker_container" "web" {
  name     = local.name
  hostname = local.name
  image    = docker_image.web.image_id
  restart  = var.restart_policy

  env = [
    "API_UPSTREAM=${local.api_upstream}",
    "API_UPSTREAM_PARAMS=",
    "TWEETS_MEDIA_ROOT=${var.media_root}",
  ]

  ports {
    internal = local.container_port
    external = var.host_port
    ip       = var.host_ip
    protocol = "tcp"
  }

  dynamic "networks_advanced" {
    for_each = toset(var.networks)

    content {
      name = networks_advanced.value
    }
  }

  volumes {
    volume_name    = var.media_volume_name
    container_path = var.media_root
    read_only      = true
  }

  # As compose.prod.yaml: a read-only root filesystem, the rendered
  # configuration and nginx's runtime files on tmpfs owned by the nginx user.
  read_only = true
  tmpfs = {
    "/tmp"              = "uid=101,gid=101,mode=0700,size=64m"
    "/etc/nginx/conf.d" = "uid=101,gid=101,mode=0755,size=1m"
  }
  security_opts = ["no-new-privileges:true"]
  capabilities {
    drop = ["ALL"]
  }

  healthcheck {
    test     = ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:${local.container_port}/nginx-health"]
    interval = "10s"
    timeout  = "3s"
    retries  = 3
  }
  wait         = true
  wait_timeout = var.health_wait_timeout

  memory = var.memory_mb
  cpus   = tostring(var.cpus)

  # nginx's graceful shutdown: finish the requests in flight.
  stop_signal           = "SIGQUIT"
  destroy_grace_seconds = 30

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

  lifecycle {
    precondition {
      condition     = length(local.nginx_upstream_templates) == 1
      error_message = "Exactly one template in docker/nginx/templates must hold the line `${local.nginx_upstream_line}` the web module fills with the API replicas; update modules/web to match the templates."
    }
  }
}
