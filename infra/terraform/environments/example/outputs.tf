output "api_url" {
  description = "Base URL of the API (REST, /v1/ws, SSE, /v1/docs/sync, /docs)."
  value       = module.service.api_url
}

output "admin_url" {
  description = "URL of the operator dashboard (sign in with the operator token)."
  value       = module.service.admin_url
}

output "alb_dns_name" {
  description = "Point both domains here when DNS is not in Route 53."
  value       = module.service.alb_dns_name
}

output "bucket" {
  description = "Object store bucket of tiered segments and snapshots."
  value       = module.storage.bucket_name
}

output "log_groups" {
  description = "CloudWatch log groups: api, worker, admin, metrics, redis-slow."
  value       = module.observability.log_group_names
}

output "alarm_topic_arn" {
  description = "SNS topic of every alarm."
  value       = module.observability.alarm_topic_arn
}

output "ecr_repository_urls" {
  description = "Push the api (target api) and admin (target admin) images here."
  value       = module.service.ecr_repository_urls
}

output "ecs_cluster" {
  description = "ECS cluster and its services (for update-service and execute-command)."
  value = {
    cluster  = module.service.cluster_name
    services = module.service.service_names
  }
}

output "database_identifier" {
  description = "RDS identifier of the primary (restore and failover commands)."
  value       = module.database.identifier
}

output "operator_token_secret_arn" {
  description = "Secret holding the operator token: aws secretsmanager get-secret-value --secret-id <this>."
  value       = module.secrets.operator_token_secret_arn
}
