variable "name" {
  type        = string
  description = "Prefix of every resource name; the replication group is <name>-redis."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets (two or more zones) for the cache subnet group."
}

variable "security_group_id" {
  type        = string
  description = "Security group of the cache (the network module's cache group)."
}

variable "engine_version" {
  type        = string
  description = "Redis engine version (BullMQ needs 6.2 or later)."
  default     = "7.1"
}

variable "node_type" {
  type        = string
  description = "Cache node type. BullMQ jobs and the cluster bus are small; memory sizes the job history kept."
  default     = "cache.r7g.large"
}

variable "replicas" {
  type        = number
  description = "Replicas besides the primary (one or more enables automatic failover across zones)."
  default     = 1

  validation {
    condition     = var.replicas >= 0 && var.replicas <= 5
    error_message = "replicas must be 0-5."
  }
}

variable "auth_token" {
  type        = string
  description = "Redis AUTH token, from the secrets module (never a literal)."
  sensitive   = true
}

variable "snapshot_retention_days" {
  type        = number
  description = "Days of daily snapshots kept (queued jobs survive a full loss of the group)."
  default     = 3
}

variable "log_group_name" {
  type        = string
  description = "CloudWatch log group the slow log is delivered to."
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of the module."
  default     = {}
}
