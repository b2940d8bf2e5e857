# host, port and endpoint are computed from the inputs, not read from the
# container, on purpose: the api module replaces its containers with
# create_before_destroy, and Terraform forces that onto everything they depend
# on. Depending on docker_container.db would make Terraform start a second
# PostgreSQL on the same data volume before stopping the first.

output "host" {
  description = "Host name of the database on its networks (the container name)."
  value       = local.name
}

output "port" {
  description = "Port PostgreSQL listens on inside the networks (never published on the host)."
  value       = local.port
}

output "endpoint" {
  description = "host:port of the database."
  value       = "${local.name}:${local.port}"
}

output "database_name" {
  description = "Name of the application database."
  value       = var.database_name
}

output "username" {
  description = "Owner role of the application database."
  value       = var.username
}

output "container_name" {
  description = "Name of the PostgreSQL container (read from Docker)."
  value       = docker_container.db.name
}

output "volume_name" {
  description = "Name of the Docker volume holding the data directory."
  value       = docker_volume.data.name
}
