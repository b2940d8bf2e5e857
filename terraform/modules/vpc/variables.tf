variable "name" {
  description = "Name prefix of every resource (lowercase letters, digits and hyphens, 2-20 characters, starting with a letter)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name))
    error_message = "name must be 2-20 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen (var.name)."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC, a /16 to /24 private (RFC 1918) IPv4 range."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("^[0-9.]+/[0-9]+$", var.vpc_cidr))
    error_message = "vpc_cidr must be a valid IPv4 CIDR block (var.vpc_cidr)."
  }

  validation {
    condition     = try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24, true)
    error_message = "vpc_cidr must have a prefix length between /16 and /24, the sizes AWS allows for a VPC (var.vpc_cidr)."
  }

  validation {
    condition     = try(cidrhost(var.vpc_cidr, 0) == split("/", var.vpc_cidr)[0], true)
    error_message = "vpc_cidr must be a network address, with no host bits set (10.0.0.0/16, not 10.0.0.1/16) (var.vpc_cidr)."
  }

  validation {
    condition     = can(regex("^(10\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|192\\.168\\.)", var.vpc_cidr))
    error_message = "vpc_cidr must be inside a private RFC 1918 range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (var.vpc_cidr)."
  }
}

variable "availability_zones" {
  description = "Availability zones to spread the subnets over: at least two distinct zones of the provider's region (for example [\"eu-west-1a\", \"eu-west-1b\"])."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) >= 2 && length(var.availability_zones) <= 6
    error_message = "availability_zones must list between 2 and 6 availability zones: the load balancer, Multi-AZ RDS and the cache need at least two (var.availability_zones)."
  }

  validation {
    condition     = length(distinct(var.availability_zones)) == length(var.availability_zones)
    error_message = "availability_zones must not repeat a zone (var.availability_zones)."
  }

  validation {
    condition     = alltrue([for az in var.availability_zones : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$", az))])
    error_message = "availability_zones entries must be zone names such as eu-west-1a (var.availability_zones)."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each subnet: 4 turns a /16 into /20 subnets. One public and one private subnet is carved per zone, in that order."
  type        = number
  default     = 4

  validation {
    condition     = var.subnet_newbits >= 1 && var.subnet_newbits <= 12 && floor(var.subnet_newbits) == var.subnet_newbits
    error_message = "subnet_newbits must be a whole number between 1 and 12 (var.subnet_newbits)."
  }

  validation {
    condition     = try(tonumber(split("/", var.vpc_cidr)[1]) + var.subnet_newbits <= 28, true)
    error_message = "subnet_newbits added to the VPC prefix must give subnets of /28 or larger, the smallest AWS allows (var.subnet_newbits)."
  }

  validation {
    condition     = pow(2, var.subnet_newbits) >= 2 * length(var.availability_zones)
    error_message = "subnet_newbits must leave room for one public and one private subnet per availability zone (2^newbits >= 2 x zones) (var.subnet_newbits)."
  }
}

variable "nat_gateway_mode" {
  description = "NAT gateways for the private subnets: \"one_per_az\" (a zone outage leaves the others online) or \"single\" (one gateway, cheaper, a single point of failure)."
  type        = string
  default     = "one_per_az"

  validation {
    condition     = contains(["single", "one_per_az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be \"single\" or \"one_per_az\" (var.nat_gateway_mode)."
  }
}

variable "flow_log_destination_arn" {
  description = "ARN of the (KMS-encrypted) CloudWatch Logs log group the VPC flow logs are delivered to; the observability module creates it."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:logs:[a-z0-9-]+:[0-9]{12}:log-group:[A-Za-z0-9_./#-]+$", var.flow_log_destination_arn))
    error_message = "flow_log_destination_arn must be the ARN of a CloudWatch Logs log group, without a trailing :* (var.flow_log_destination_arn)."
  }
}

variable "flow_log_traffic_type" {
  description = "Which traffic the flow logs record: ACCEPT, REJECT or ALL."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_log_traffic_type)
    error_message = "flow_log_traffic_type must be ACCEPT, REJECT or ALL (var.flow_log_traffic_type)."
  }
}

variable "flow_log_max_aggregation_interval" {
  description = "Seconds over which flow log records are aggregated: 60 or 600."
  type        = number
  default     = 600

  validation {
    condition     = contains([60, 600], var.flow_log_max_aggregation_interval)
    error_message = "flow_log_max_aggregation_interval must be 60 or 600 (var.flow_log_max_aggregation_interval)."
  }
}

variable "private_dns_namespace" {
  description = "Name of a Cloud Map private DNS namespace to create in the VPC for service discovery (for example tweets.internal); null creates none."
  type        = string
  default     = null

  validation {
    condition     = var.private_dns_namespace == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z]([a-z0-9-]{0,61}[a-z0-9])?$", var.private_dns_namespace))
    error_message = "private_dns_namespace must be a lowercase DNS name such as tweets.internal, or null (var.private_dns_namespace)."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")])
    error_message = "tags keys must be 1-128 characters and not start with aws:, values at most 256 characters (var.tags)."
  }
}
