output "file_system_id" {
  description = "ID of the EFS file system. Available once every mount target exists, so tasks that mount it wait for them."
  value       = aws_efs_file_system.this.id

  depends_on = [aws_efs_mount_target.this, aws_efs_file_system_policy.this]
}

output "file_system_arn" {
  description = "ARN of the EFS file system."
  value       = aws_efs_file_system.this.arn
}

output "access_point_id" {
  description = "ID of the access point (uid/gid posix_uid:posix_gid, root root_directory), for the ecs-service module's efs_volume."
  value       = aws_efs_access_point.this.id
}

output "access_point_arn" {
  description = "ARN of the access point."
  value       = aws_efs_access_point.this.arn
}

output "security_group_id" {
  description = "ID of the mount targets' security group; the clients need egress to it on 2049."
  value       = aws_security_group.this.id
}

output "backup_vault_name" {
  description = "Name of the AWS Backup vault holding the file system's backups."
  value       = aws_backup_vault.this.name
}
