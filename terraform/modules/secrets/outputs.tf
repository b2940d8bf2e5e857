# Secret ARNs are read off the secret versions, so whatever uses them waits
# until a value is stored.

output "kms_key_arn" {
  description = "ARN of the customer-managed KMS key of the application's data; give it to the rds, redis and media modules and to the task execution roles."
  value       = aws_kms_key.this.arn
}

output "secret_arns" {
  description = "ARNs of every stored secret, by short name (jwt-secret, database-password, database-url, redis-auth-token, redis-url)."
  value       = { for key, version in aws_secretsmanager_secret_version.this : key => version.arn }
}

output "api_secrets" {
  description = "Environment variable name => secret ARN, ready for the ecs-service module's secrets input: JWT_SECRET, DATABASE_URL and, with redis set, REDIS_URL."
  value = merge(
    {
      JWT_SECRET   = aws_secretsmanager_secret_version.this["jwt-secret"].arn
      DATABASE_URL = aws_secretsmanager_secret_version.this["database-url"].arn
    },
    var.redis == null ? {} : { REDIS_URL = aws_secretsmanager_secret_version.this["redis-url"].arn },
  )
}

output "database_password" {
  description = "The database master user's password, for the rds module."
  value       = local.database_password
  sensitive   = true
}

output "redis_auth_token" {
  description = "The ElastiCache AUTH token, for the redis module."
  value       = local.redis_auth_token
  sensitive   = true
}
