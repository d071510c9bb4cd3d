variable "name" {
  type        = string
  description = "Prefix of every resource name; the primary is named <name>-pg."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets (two or more zones) for the DB subnet group."
}

variable "security_group_id" {
  type        = string
  description = "Security group of the database (the network module's database group)."
}

variable "engine_version" {
  type        = string
  description = "PostgreSQL major version (15 or later; Strata's migrations and docs assume 15+). Minor versions follow RDS's auto minor upgrade."
  default     = "16"

  validation {
    condition     = tonumber(split(".", var.engine_version)[0]) >= 15
    error_message = "Strata needs PostgreSQL 15 or later."
  }
}

variable "instance_class" {
  type        = string
  description = "Instance class of the primary (and of the replica). See docs/operations.md, capacity model."
  default     = "db.r6g.large"
}

variable "allocated_storage_gb" {
  type        = number
  description = "Initial gp3 storage in GiB. At 400 GiB and above gp3 gives 12,000 IOPS and 500 MiB/s baseline and accepts iops/throughput settings."
  default     = 100
}

variable "max_allocated_storage_gb" {
  type        = number
  description = "Storage autoscaling ceiling in GiB (RDS grows the volume up to this when free space runs low)."
  default     = 1000
}

variable "iops" {
  type        = number
  description = "Provisioned gp3 IOPS (only with allocated_storage_gb >= 400); null keeps the gp3 baseline."
  default     = null
}

variable "storage_throughput" {
  type        = number
  description = "Provisioned gp3 throughput in MiB/s (only with allocated_storage_gb >= 400); null keeps the baseline."
  default     = null
}

variable "multi_az" {
  type        = bool
  description = "Synchronous standby in a second zone with automatic failover (1-2 minutes of unavailability instead of a restore)."
  default     = true
}

variable "backup_retention_days" {
  type        = number
  description = "Days of automated snapshots and WAL kept for point-in-time restore (1-35)."
  default     = 14

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be 1-35 (0 would turn off backups and PITR)."
  }
}

variable "backup_window" {
  type        = string
  description = "Daily UTC window for the automated snapshot (hh24:mi-hh24:mi), outside the maintenance window."
  default     = "03:00-04:00"
}

variable "maintenance_window" {
  type        = string
  description = "Weekly UTC window for minor upgrades and pending-reboot parameters (ddd:hh24:mi-ddd:hh24:mi)."
  default     = "sun:05:00-sun:06:00"
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the primary (turn off deliberately before a destroy)."
  default     = true
}

variable "read_replica" {
  type        = bool
  description = "Create an asynchronous read replica (reporting reads, a warm copy for promotion; see docs/operations.md on the replicated ack level)."
  default     = false
}

variable "max_connections" {
  type        = number
  description = "PostgreSQL max_connections: at least tasks x STRATA_DB_POOL_SIZE plus headroom for migrations, operators and RDS itself."
  default     = 400
}

variable "master_username" {
  type        = string
  description = "Master user Strata connects as (it runs the migrations at start)."
  default     = "strata"
}

variable "master_password" {
  type        = string
  description = "Master password, from the secrets module (never a literal)."
  sensitive   = true
}

variable "database_name" {
  type        = string
  description = "Database created on the instance for Strata."
  default     = "strata"
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of the module."
  default     = {}
}
