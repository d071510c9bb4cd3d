output "api_url" {
  description = "Public base URL of the API."
  value       = "https://${var.api_domain}"
}

output "admin_url" {
  description = "Public URL of the operator dashboard."
  value       = "https://${var.admin_domain}"
}

output "alb_dns_name" {
  description = "DNS name of the ALB (point both domains at it when DNS is managed elsewhere)."
  value       = aws_lb.this.dns_name
}

output "alb_arn_suffix" {
  description = "ALB ARN suffix (CloudWatch LoadBalancer dimension)."
  value       = aws_lb.this.arn_suffix
}

output "api_target_group_arn_suffix" {
  description = "API target group ARN suffix (CloudWatch TargetGroup dimension)."
  value       = aws_lb_target_group.api.arn_suffix
}

output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "ECS service names: api, worker, admin."
  value = {
    api    = aws_ecs_service.api.name
    worker = aws_ecs_service.worker.name
    admin  = aws_ecs_service.admin.name
  }
}

output "ecr_repository_urls" {
  description = "Where to push the images: api (also the worker image) and admin."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "node_task_role_arn" {
  description = "IAM role of the API and worker tasks (the object bucket's only writer)."
  value       = aws_iam_role.node_task.arn
}
