output "db_instance_identifier" {
  description = "Identifier of the DB instance (the DBInstanceIdentifier dimension of its metrics)."
  value       = aws_db_instance.this.identifier
}

output "db_instance_arn" {
  description = "ARN of the DB instance."
  value       = aws_db_instance.this.arn
}

output "db_instance_resource_id" {
  description = "Resource ID of the DB instance (for rds-db:connect IAM policies)."
  value       = aws_db_instance.this.resource_id
}

output "address" {
  description = "Host name of the instance's endpoint (follows a Multi-AZ failover)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the instance's endpoint."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the database."
  value       = aws_db_instance.this.db_name
}

output "master_username" {
  description = "Name of the master user."
  value       = aws_db_instance.this.username
}

output "endpoint_url" {
  description = "DATABASE_URL-style endpoint without the password: postgres://USER@HOST:PORT/DB?sslmode=require. The full URL, password included, is the secrets module's database-url secret."
  value       = "postgres://${aws_db_instance.this.username}@${aws_db_instance.this.address}:${aws_db_instance.this.port}/${aws_db_instance.this.db_name}?sslmode=require"
}

output "security_group_id" {
  description = "ID of the database's security group (ingress on the database port from allowed_security_group_ids only)."
  value       = aws_security_group.this.id
}

output "parameter_group_name" {
  description = "Name of the DB parameter group (rds.force_ssl=1)."
  value       = aws_db_parameter_group.this.name
}

output "db_subnet_group_name" {
  description = "Name of the DB subnet group (private subnets), for an instance restored next to this one."
  value       = aws_db_subnet_group.this.name
}
