variable "name" {
  type        = string
  description = "Prefix of every resource name (e.g. strata-prod)."
}

variable "cidr_block" {
  type        = string
  description = "IPv4 range of the VPC; split into one public and one private subnet per availability zone."
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr_block, 0))
    error_message = "cidr_block must be an IPv4 CIDR such as 10.40.0.0/16."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to spread the subnets over (at least two, so RDS Multi-AZ, Redis failover and the ALB have a second zone)."

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "Give at least two availability zones."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all private subnets (cheaper) instead of one per zone (survives the loss of a zone)."
  default     = false
}

variable "api_port" {
  type        = number
  description = "Port the API and worker containers listen on (STRATA_PORT)."
  default     = 8080
}

variable "admin_port" {
  type        = number
  description = "Port the admin dashboard container listens on."
  default     = 3000
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of the module."
  default     = {}
}
