variable "name" {
  type        = string
  description = "Prefix of every resource name; log groups are /strata/<name>/<part>."
}

variable "log_retention_days" {
  type        = number
  description = "Days CloudWatch keeps the logs (one of CloudWatch's allowed values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, …)."
  default     = 30
}

variable "alarm_emails" {
  type        = list(string)
  description = "Addresses subscribed to the alarm topic (each confirms by mail); other subscribers (PagerDuty, chat) can be added to the topic."
  default     = []
}

variable "metrics_namespace" {
  type        = string
  description = "CloudWatch namespace the nodes' collector publishes to (the service module's metrics_namespace)."
  default     = "Strata"
}

variable "lag_alarm_messages" {
  type        = number
  description = "Alarm when the most-behind durable consumer is this many messages behind (matches STRATA_LAG_ALERT_MESSAGES by default)."
  default     = 10000
}

variable "error_rate_percent" {
  type        = number
  description = "Alarm when this percentage of API requests end in a 5xx over 5 minutes."
  default     = 1
}

variable "alb_arn_suffix" {
  type        = string
  description = "ALB ARN suffix (the service module's output)."
}

variable "api_target_group_arn_suffix" {
  type        = string
  description = "API target group ARN suffix (the service module's output)."
}

variable "database" {
  type = object({
    identifier           = string
    replica_identifier   = optional(string)
    allocated_storage_gb = number
    max_connections      = number
  })
  description = "The RDS primary (and replica) to watch: identifiers, allocated storage and max_connections."
}

variable "cache" {
  type = object({
    replication_group_id = string
    node_count           = number
  })
  description = "The Redis replication group to watch (the cache module's outputs); members are <id>-001, <id>-002, …"
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of the module."
  default     = {}
}
