variable "name" {
  type        = string
  description = "Prefix of every resource name (at most 20 characters: target group names are limited to 32)."

  validation {
    condition     = length(var.name) <= 20
    error_message = "name must be at most 20 characters."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC of the tasks and the load balancer."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Subnets of the internet-facing ALB (two or more zones)."
}

variable "private_subnet_ids" {
  type        = list(string)
  description = "Subnets of the tasks (no public IPs; egress through NAT)."
}

variable "security_group_ids" {
  type = object({
    alb   = string
    app   = string
    admin = string
  })
  description = "Security groups from the network module: alb, app (API and worker tasks), admin."
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate for the HTTPS listener, covering api_domain and admin_domain."
}

variable "api_domain" {
  type        = string
  description = "Host name clients use for the API (REST, WebSocket, SSE, document sync)."
}

variable "admin_domain" {
  type        = string
  description = "Host name of the operator dashboard (routed by Host header on the same ALB)."
}

variable "route53_zone_id" {
  type        = string
  description = "Route 53 hosted zone to create alias records for both domains in; null to manage DNS elsewhere."
  default     = null
}

variable "image_tag" {
  type        = string
  description = "Tag of the api and admin images in the module's ECR repositories (immutable tags: a release or commit id, never latest)."

  validation {
    condition     = var.image_tag != "latest" && length(var.image_tag) > 0
    error_message = "Deploy an immutable tag, not latest."
  }
}

variable "api" {
  type = object({
    cpu           = number
    memory        = number
    desired_count = number
    min_count     = number
    max_count     = number
  })
  description = "API tasks (STRATA_ROLE=api): Fargate CPU units and MiB, and the autoscaling range."
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
  description = "Worker tasks (STRATA_ROLE=worker: heartbeat monitor, compaction, tiering, retention)."
  default     = { cpu = 1024, memory = 2048, desired_count = 2, min_count = 2, max_count = 6 }
}

variable "admin" {
  type = object({
    cpu           = number
    memory        = number
    desired_count = number
  })
  description = "Admin dashboard tasks (Next.js)."
  default     = { cpu = 512, memory = 1024, desired_count = 2 }
}

variable "cpu_target_percent" {
  type        = number
  description = "Average CPU the API and worker services scale to hold."
  default     = 60
}

variable "connections_per_task_target" {
  type        = number
  description = "ALB connections per API task the API service scales to hold (long-lived WebSocket and SSE clients do not show in request counts). The ALB counts both sides, client->ALB and ALB->task, so 10,000 is about 5,000 clients per task."
  default     = 10000
}

variable "idle_timeout_seconds" {
  type        = number
  description = "ALB idle timeout: above the 60 s longest long-poll (WebSocket pings every 30 s, SSE keep-alives) and below the node's 65 s HTTP keep-alive, so the ALB never reuses a connection the node is closing."
  default     = 62

  validation {
    condition     = var.idle_timeout_seconds > 60 && var.idle_timeout_seconds < 65
    error_message = "idle_timeout_seconds must be 61-64 (long-poll waits up to 60 s; the node closes idle keep-alive connections after 65 s)."
  }
}

variable "deregistration_delay_seconds" {
  type        = number
  description = "Seconds the ALB keeps draining a task's connections before ECS sends SIGTERM (the node then hands its leases over)."
  default     = 30
}

variable "stop_timeout_seconds" {
  type        = number
  description = "Seconds between SIGTERM and SIGKILL (Fargate allows up to 120): the node's drain must finish in it."
  default     = 60
}

variable "db_pool_size" {
  type        = number
  description = "STRATA_DB_POOL_SIZE: PostgreSQL connections per task (tasks x this must stay below max_connections)."
  default     = 10
}

variable "log_level" {
  type        = string
  description = "STRATA_LOG_LEVEL of the nodes."
  default     = "info"
}

variable "node_env_secret_arns" {
  type        = map(string)
  description = "Environment variable name -> Secrets Manager ARN injected into API and worker tasks (the secrets module's output)."

  validation {
    # The metrics collector scrapes /metrics with the operator token.
    condition     = contains(keys(var.node_env_secret_arns), "STRATA_ADMIN_TOKEN")
    error_message = "node_env_secret_arns must include STRATA_ADMIN_TOKEN."
  }
}

variable "secrets_kms_key_arn" {
  type        = string
  description = "KMS key the secrets are encrypted with (the nodes' execution role decrypts with it)."
}

variable "bucket_name" {
  type        = string
  description = "Object store bucket (STRATA_OBJECTS_BUCKET)."
}

variable "bucket_arn" {
  type        = string
  description = "ARN of the object store bucket (the task role's S3 permissions)."
}

variable "log_group_names" {
  type = object({
    api     = string
    worker  = string
    admin   = string
    metrics = string
  })
  description = "CloudWatch log groups from the observability module (metrics receives the collector's embedded-metric-format records)."
}

variable "metrics_collector_image" {
  type        = string
  description = "AWS Distro for OpenTelemetry collector image (an exact tag) run beside each node: scrapes /metrics and publishes the Strata namespace in CloudWatch."
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0"
}

variable "metrics_namespace" {
  type        = string
  description = "CloudWatch namespace of the nodes' metrics."
  default     = "Strata"
}

variable "extra_environment" {
  type        = map(string)
  description = "Further STRATA_* settings for the nodes (README, Configuration), e.g. STRATA_LEASE_TTL_MS."
  default     = {}
}

variable "alb_deletion_protection" {
  type        = bool
  description = "Refuse to delete the load balancer."
  default     = true
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of the module."
  default     = {}
}
