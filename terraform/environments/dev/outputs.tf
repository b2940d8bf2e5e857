output "url" {
  description = "URL of the site."
  value       = module.web.url
}

output "api_container_names" {
  description = "Names of the API replicas' containers (they change when a replica is replaced)."
  value       = module.api.container_names
}

output "api_upstream_addresses" {
  description = "Stable host:port of each API replica, as nginx's upstream lists them."
  value       = module.api.upstream_addresses
}

output "database_endpoint" {
  description = "host:port of PostgreSQL on the backend network (not published on the host)."
  value       = module.database.endpoint
}

output "database_volume" {
  description = "Docker volume holding PostgreSQL's data directory."
  value       = module.database.volume_name
}

output "media_volume" {
  description = "Docker volume holding uploaded images."
  value       = module.api.media_volume_name
}

output "redis_url" {
  description = "REDIS_URL the API uses, or null without Redis."
  value       = one(module.cache[*].url)
}

output "grafana_url" {
  description = "URL of Grafana, or null without monitoring."
  value       = one(module.monitoring[*].grafana_url)
}

output "prometheus_url" {
  description = "URL of Prometheus, or null without monitoring."
  value       = one(module.monitoring[*].prometheus_url)
}

output "networks" {
  description = "Names of the edge (published ports) and backend (internal) networks."
  value = {
    edge    = module.edge_network.name
    backend = module.backend_network.name
  }
}
