variable "name" {
  description = "Name of the Docker network, e.g. tweets-prod-backend (2-64 characters: lowercase letters, digits, dots, underscores and hyphens, starting with a letter)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9_.-]{0,62}[a-z0-9]$", var.name))
    error_message = "network name must be 2-64 lowercase letters, digits, dots, underscores or hyphens, start with a letter and end with a letter or digit (var.name)."
  }
}

variable "internal" {
  description = "Cut the network off from the outside: containers on it reach each other but not the internet, and ports cannot be published from it. True for the backend network."
  type        = bool
  default     = false
}

variable "subnet" {
  description = "IPv4 subnet of the network in CIDR notation, e.g. 10.30.0.0/24. Null lets Docker pick a free range."
  type        = string
  default     = null

  validation {
    condition     = var.subnet == null || (can(cidrhost(var.subnet, 0)) && can(regex("^[0-9.]+/[0-9]+$", var.subnet)))
    error_message = "subnet must be an IPv4 CIDR block such as 10.30.0.0/24, or null (var.subnet)."
  }

  validation {
    condition     = var.subnet == null || try(cidrhost(var.subnet, 0) == split("/", var.subnet)[0], false)
    error_message = "subnet must be a network address with no host bits set (10.30.0.0/24, not 10.30.0.5/24) (var.subnet)."
  }

  validation {
    condition     = var.subnet == null || try(tonumber(split("/", var.subnet)[1]) >= 8 && tonumber(split("/", var.subnet)[1]) <= 29, false)
    error_message = "subnet must have a prefix length between /8 and /29 (var.subnet)."
  }
}

variable "gateway" {
  description = "Gateway address inside the subnet, e.g. 10.30.0.1. Null lets Docker use the first address; only valid together with subnet."
  type        = string
  default     = null

  validation {
    condition     = var.gateway == null || can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.gateway)) && can(cidrhost("${coalesce(var.gateway, "x")}/32", 0))
    error_message = "gateway must be an IPv4 address such as 10.30.0.1, or null (var.gateway)."
  }

  validation {
    condition     = var.gateway == null || var.subnet != null
    error_message = "gateway needs a subnet to live in: set var.subnet as well, or leave var.gateway null (var.gateway)."
  }
}

variable "labels" {
  description = "Extra Docker labels for the network, merged over the module's own (tweets.network, managed-by)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.labels) : can(regex("^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$", k))])
    error_message = "label keys must be lowercase letters, digits, dots, underscores or hyphens, starting and ending with a letter or digit (var.labels)."
  }
}
