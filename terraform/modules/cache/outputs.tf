# url, host and port are computed from the inputs, not read from the
# container: the api's create_before_destroy would otherwise be forced onto
# this container too, and a second container of the same name cannot be made.

output "url" {
  description = "REDIS_URL for the API, redis://{host}:6379/{database_index}."
  value       = "redis://${local.name}:${local.port}/${var.database_index}"
}

output "host" {
  description = "Host name of Redis on its networks (the container name)."
  value       = local.name
}

output "port" {
  description = "Port Redis listens on inside the networks (never published on the host)."
  value       = local.port
}

output "container_name" {
  description = "Name of the Redis container (read from Docker)."
  value       = docker_container.redis.name
}
