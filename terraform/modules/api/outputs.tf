output "container_names" {
  description = "Names of the replicas' containers, {name_prefix}-api-{index}-{generation}; they change each time a replica is replaced."
  value       = docker_container.api[*].name
}

output "hostnames" {
  description = "Stable network name of each replica, {name_prefix}-api-{index}."
  value       = [for i, c in docker_container.api : local.replica_aliases[i]]
}

output "service_hostname" {
  description = "Network name every replica answers to, {name_prefix}-api (one DNS record per replica)."
  value       = local.service_alias
}

output "upstream_addresses" {
  description = "host:port of each replica's HTTP listener, for nginx's upstream (stable across replacements)."
  value       = [for i, c in docker_container.api : "${local.replica_aliases[i]}:${var.http_port}"]
}

output "metrics_targets" {
  description = "host:port of each replica's metrics listener, for Prometheus's static targets (stable across replacements)."
  value       = [for i, c in docker_container.api : "${local.replica_aliases[i]}:${var.metrics_port}"]
}

output "media_volume_name" {
  description = "Name of the Docker volume holding uploaded images, for the web module to mount read-only."
  value       = docker_volume.media.name
}

output "media_root" {
  description = "Path of the media volume inside the API containers (MEDIA_ROOT)."
  value       = var.media_root
}

output "image_id" {
  description = "ID of the API image the replicas run."
  value       = docker_image.api.image_id
}
