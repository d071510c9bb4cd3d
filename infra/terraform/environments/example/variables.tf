variable "region" {
  type        = string
  description = "AWS region to deploy to."
  default     = "eu-west-1"
}

variable "name" {
  type        = string
  description = "Name of this deployment, the prefix of every resource (lowercase letters, digits and '-', at most 20 characters)."
  default     = "strata-example"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,19}$", var.name))
    error_message = "name must be 2-20 characters of lowercase letters, digits and '-', starting with a letter."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource (on top of Project and Deployment)."
  default     = {}
}

variable "zone_count" {
  type        = number
  description = "Availability zones to use (2 or 3)."
  default     = 2

  validation {
    condition     = var.zone_count >= 2 && var.zone_count <= 3
    error_message = "zone_count must be 2 or 3."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "IPv4 range of the VPC."
  default     = "10.40.0.0/16"
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway instead of one per zone (cheaper; the tasks lose egress if its zone fails)."
  default     = false
}

variable "api_domain" {
  type        = string
  description = "Host name of the API, e.g. api.strata.example.com."
}

variable "admin_domain" {
  type        = string
  description = "Host name of the operator dashboard, e.g. admin.strata.example.com."
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate (in this region) covering api_domain and admin_domain."
}

variable "route53_zone_id" {
  type        = string
  description = "Route 53 zone for alias records of both domains; null when DNS is managed elsewhere (point the names at the alb_dns_name output)."
  default     = null
}

variable "image_tag" {
  type        = string
  description = "Image tag to deploy (pushed to the ecr_repository_urls outputs; a release or commit id)."
}

variable "api" {
  type = object({
    cpu           = number
    memory        = number
    desired_count = number
    min_count     = number
    max_count     = number
  })
  description = "API tasks: Fargate CPU units, memory MiB and the autoscaling range (capacity model in docs/operations.md)."
  default     = { cpu = 2048, memory = 4096, desired_count = 3, min_count = 3, max_count = 12 }
}

variable "worker" {
  type = object({
    cpu           = number
    memory        = number
    desired_count = number
    min_count     = number
    max_count     = number
  })
  description = "Worker tasks: Fargate CPU units, memory MiB and the autoscaling range."
  default     = { cpu = 1024, memory = 2048, desired_count = 2, min_count = 2, max_count = 4 }
}

variable "admin" {
  type = object({
    cpu           = number
    memory        = number
    desired_count = number
  })
  description = "Admin dashboard tasks."
  default     = { cpu = 512, memory = 1024, desired_count = 2 }
}

variable "db_pool_size" {
  type        = number
  description = "PostgreSQL connections per task (STRATA_DB_POOL_SIZE); max_connections is sized from it and the task ceilings."
  default     = 10
}

variable "database" {
  type = object({
    engine_version        = optional(string, "16")
    instance_class        = optional(string, "db.r6g.xlarge")
    allocated_storage_gb  = optional(number, 400)
    max_allocated_storage = optional(number, 2000)
    iops                  = optional(number)
    storage_throughput    = optional(number)
    multi_az              = optional(bool, true)
    backup_retention_days = optional(number, 14)
    read_replica          = optional(bool, false)
    deletion_protection   = optional(bool, true)
  })
  description = "RDS PostgreSQL: version (15+), class, gp3 storage (400 GiB and up give 12,000 IOPS baseline), Multi-AZ, PITR window, read replica."
  default     = {}
}

variable "redis" {
  type = object({
    node_type = optional(string, "cache.r7g.large")
    replicas  = optional(number, 1)
  })
  description = "ElastiCache Redis for BullMQ and the cluster bus."
  default     = {}
}

variable "log_retention_days" {
  type        = number
  description = "Days CloudWatch keeps logs."
  default     = 30
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses subscribed to the alarm topic."
  default     = []
}

variable "node_settings" {
  type        = map(string)
  description = "Further STRATA_* settings for the nodes (README, Configuration), e.g. { STRATA_LEASE_TTL_MS = \"10000\" }."
  default     = {}
}

variable "throwaway" {
  type        = bool
  description = "A test environment: secrets deleted at once, a non-empty bucket and the ALB may be destroyed. Never for production."
  default     = false
}
