output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "service_arn" {
  description = "ARN of the ECS service."
  value       = aws_ecs_service.this.id
}

output "cluster_name" {
  description = "Name of the ECS cluster the service runs in; when created here, read off the cluster, so services given it wait for the cluster to exist."
  value       = var.create_cluster ? aws_ecs_cluster.this[0].name : var.cluster_name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster the service runs in."
  value       = local.cluster_arn
}

output "task_definition_arn" {
  description = "ARN (family:revision) of the task definition the service runs."
  value       = aws_ecs_task_definition.this.arn
}

output "container_name" {
  description = "Name of the container in the task definition (the service's name)."
  value       = var.name
}

output "security_group_id" {
  description = "ID of the tasks' security group: allow it in the database's, cache's and file system's security groups."
  value       = aws_security_group.this.id
}

output "task_role_arn" {
  description = "ARN of the task role (the application's identity), for the media module's writer or reader roles."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "ARN of the execution role ECS starts the tasks with."
  value       = aws_iam_role.execution.arn
}

output "service_discovery_arn" {
  description = "ARN of the Cloud Map service the tasks register in, or null."
  value       = one(aws_service_discovery_service.this[*].arn)
}
