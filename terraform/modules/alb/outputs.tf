output "arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer (app/NAME/ID), the LoadBalancer dimension of its CloudWatch metrics."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "DNS name of the load balancer: point the site's domain at it (alias record)."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Route 53 hosted zone ID of the load balancer, for an alias record."
  value       = aws_lb.this.zone_id
}

output "security_group_id" {
  description = "ID of the load balancer's security group: the tasks allow their container port from it."
  value       = aws_security_group.this.id
}

output "https_listener_arn" {
  description = "ARN of the HTTPS listener."
  value       = aws_lb_listener.https.arn
}

output "target_group_arns" {
  description = "ARNs of the target groups, by key."
  value       = { for key, group in aws_lb_target_group.this : key => group.arn }
}

output "target_group_arn_suffixes" {
  description = "ARN suffixes of the target groups (targetgroup/NAME/ID), by key: the TargetGroup dimension of their metrics."
  value       = { for key, group in aws_lb_target_group.this : key => group.arn_suffix }
}

output "resource_labels" {
  description = "ALBRequestCountPerTarget resource labels (app/.../targetgroup/...), by target group key, for the ecs-service module's load_balancer input."
  value       = { for key, group in aws_lb_target_group.this : key => "${aws_lb.this.arn_suffix}/${group.arn_suffix}" }
}

output "access_logs_bucket" {
  description = "Name of the S3 bucket holding the access logs (under AWSLogs/ACCOUNT/)."
  value       = aws_s3_bucket.access_logs.id
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL in front of the load balancer."
  value       = aws_wafv2_web_acl.this.arn
}
