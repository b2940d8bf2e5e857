output "url" {
  description = "URL of the site on the host."
  value       = "http://${var.host_ip == "0.0.0.0" ? "localhost" : var.host_ip}:${var.host_port}/"
}

output "container_name" {
  description = "Name of the nginx container."
  value       = docker_container.web.name
}

output "upstream_config" {
  description = "The server lines of nginx's tweets_api upstream, as rendered from upstream_addresses."
  value       = local.upstream_config
}

output "host_port" {
  description = "Port published on the host."
  value       = var.host_port
}

output "image_id" {
  description = "ID of the nginx image the container runs."
  value       = docker_image.web.image_id
}
