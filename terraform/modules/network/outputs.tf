output "name" {
  description = "Name of the network, as containers' networks_advanced blocks take it."
  value       = docker_network.this.name
}

output "id" {
  description = "ID Docker gave the network."
  value       = docker_network.this.id
}

output "internal" {
  description = "Whether the network is cut off from the outside."
  value       = docker_network.this.internal
}

output "subnet" {
  description = "The subnet asked for, or null when Docker picked one."
  value       = var.subnet
}
