output "database_password" {
  description = "RDS master password (for the database module)."
  value       = aws_secretsmanager_secret_version.generated["database-password"].secret_string
  sensitive   = true
}

output "redis_auth_token" {
  description = "ElastiCache AUTH token (for the cache module)."
  value       = aws_secretsmanager_secret_version.generated["redis-auth-token"].secret_string
  sensitive   = true
}

output "node_env_secret_arns" {
  description = "Environment variable name -> secret ARN, injected into the API and worker tasks."
  value = {
    STRATA_ADMIN_TOKEN    = aws_secretsmanager_secret.generated["operator-token"].arn
    STRATA_CLUSTER_SECRET = aws_secretsmanager_secret.generated["cluster-secret"].arn
    DATABASE_URL          = aws_secretsmanager_secret.database_url.arn
    REDIS_URL             = aws_secretsmanager_secret.redis_url.arn
  }
}

output "operator_token_secret_arn" {
  description = "ARN of the operator token secret (read it with aws secretsmanager get-secret-value to sign in)."
  value       = aws_secretsmanager_secret.generated["operator-token"].arn
}

output "kms_key_arn" {
  description = "KMS key the secrets are encrypted with (the task execution role may decrypt with it)."
  value       = aws_kms_key.this.arn
}
