output "url" {
  description = "Address of the site (point domain_name at alb_dns_name first)."
  value       = "https://${var.domain_name}/"
}

output "alb_dns_name" {
  description = "DNS name of the load balancer: the target of domain_name's alias (or CNAME) record."
  value       = module.alb.dns_name
}

output "alb_zone_id" {
  description = "Route 53 zone ID of the load balancer, for an alias record."
  value       = module.alb.zone_id
}

output "replica_names" {
  description = "The ECS services that run the replicas (tasks) of each component; aws ecs list-tasks --cluster CLUSTER --service-name NAME lists them."
  value = {
    api = module.api.service_name
    web = module.web.service_name
  }
}

output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = module.api.cluster_name
}

output "database_endpoint" {
  description = "The database, DATABASE_URL style without the password (that is in the database-url secret): postgres://USER@HOST:PORT/DB?sslmode=require."
  value       = module.rds.endpoint_url
}

output "redis_endpoint" {
  description = "Primary endpoint of ElastiCache (host name), or null without Redis."
  value       = var.enable_redis ? module.redis[0].primary_endpoint_address : null
}

output "secret_arns" {
  description = "ARNs of the Secrets Manager secrets (jwt-secret, database-password, database-url, redis-auth-token, redis-url)."
  value       = module.secrets.secret_arns
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies: subscribe on-call endpoints to it."
  value       = module.observability.sns_topic_arn
}

output "nat_gateway_public_ips" {
  description = "Addresses the tasks reach the internet from."
  value       = module.vpc.nat_gateway_public_ips
}

output "media_url" {
  description = "Where browsers load uploaded images from: the CloudFront URL the API's MEDIA_URL holds with media_store = s3; https://domain_name/media/ (nginx from EFS, MEDIA_URL=/media/) with efs."
  value       = var.media_store == "s3" ? module.media_s3[0].media_url : "https://${var.domain_name}/media/"
}

output "media_bucket_name" {
  description = "The S3 bucket of uploaded images (the API's S3_BUCKET), or null without one."
  value       = local.media_s3 ? module.media_s3[0].bucket_name : null
}

output "media_cdn_domain_name" {
  description = "Host name of the media CloudFront distribution (dNNNN.cloudfront.net): the CNAME or alias target of media_domain_name; null without the bucket."
  value       = local.media_s3 ? module.media_s3[0].distribution_domain_name : null
}

output "media_file_system_id" {
  description = "The EFS file system of uploaded images, or null without one (media_store = s3 after the migration)."
  value       = local.media_efs ? module.media[0].file_system_id : null
}
