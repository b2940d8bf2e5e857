output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "availability_zones" {
  description = "Availability zones the subnets are in, in the order given."
  value       = var.availability_zones
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per availability zone, in zone order."
  value       = [for zone in var.availability_zones : aws_subnet.public[zone].id]
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per availability zone, in zone order."
  value       = [for zone in var.availability_zones : aws_subnet.private[zone].id]
}

output "public_subnet_cidrs" {
  description = "CIDR blocks of the public subnets, in zone order."
  value       = [for zone in var.availability_zones : local.public_subnet_cidrs[zone]]
}

output "private_subnet_cidrs" {
  description = "CIDR blocks of the private subnets, in zone order."
  value       = [for zone in var.availability_zones : local.private_subnet_cidrs[zone]]
}

output "nat_gateway_public_ips" {
  description = "Public addresses the private subnets reach the internet from (to allow-list elsewhere)."
  value       = [for zone, eip in aws_eip.nat : eip.public_ip]
}

output "private_route_table_ids" {
  description = "IDs of the private route tables (for gateway VPC endpoints), in zone order."
  value       = [for zone in var.availability_zones : aws_route_table.private[zone].id]
}

output "flow_log_id" {
  description = "ID of the VPC flow log."
  value       = aws_flow_log.this.id
}

output "service_discovery_namespace_id" {
  description = "ID of the Cloud Map private DNS namespace, or null when none was asked for."
  value       = one(aws_service_discovery_private_dns_namespace.this[*].id)
}

output "service_discovery_namespace_name" {
  description = "DNS name of the Cloud Map private DNS namespace, or null when none was asked for."
  value       = one(aws_service_discovery_private_dns_namespace.this[*].name)
}
