output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts the log groups and the alarm topic."
  value       = aws_kms_key.this.arn
}

output "log_group_names" {
  description = "Names of the log groups, by the handle given in log_groups."
  value       = { for key, group in aws_cloudwatch_log_group.this : key => group.name }
}

output "log_group_arns" {
  description = "ARNs of the log groups (without the trailing :*), by handle."
  value       = { for key, group in aws_cloudwatch_log_group.this : key => group.arn }
}

output "sns_topic_arn" {
  description = "ARN of the encrypted SNS topic every alarm notifies; subscribe on-call endpoints to it."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms, keyed by the alert they carry the name of."
  value = merge(
    { for key, alarm in aws_cloudwatch_metric_alarm.metric : key => alarm.alarm_name },
    { HighErrorRatio = aws_cloudwatch_metric_alarm.high_error_ratio.alarm_name },
  )
}

output "db_event_subscription_name" {
  description = "Name of the RDS event subscription that reports failures, failovers and low storage to the topic."
  value       = aws_db_event_subscription.database.name
}
