output "prometheus_url" {
  description = "URL of Prometheus's web UI on the host."
  value       = "http://${var.host_ip}:${var.prometheus_port}/"
}

output "alertmanager_url" {
  description = "URL of Alertmanager's web UI on the host."
  value       = "http://${var.host_ip}:${var.alertmanager_port}/"
}

output "grafana_url" {
  description = "URL of Grafana on the host (user admin)."
  value       = "http://${var.host_ip}:${var.grafana_port}/"
}

output "container_names" {
  description = "Names of the monitoring containers, by role."
  value = {
    prometheus        = docker_container.prometheus.name
    alertmanager      = docker_container.alertmanager.name
    grafana           = docker_container.grafana.name
    postgres_exporter = docker_container.postgres_exporter.name
  }
}

output "api_scrape_config" {
  description = "The api job Prometheus loads from /etc/prometheus/scrape.d/api.yml, rendered from metrics_targets."
  value       = local.api_scrape_config
}
