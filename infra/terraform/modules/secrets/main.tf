# Every credential Strata needs, in Secrets Manager. Generated ones come from
# Secrets Manager's own generator and are written once: later applies keep
# the stored value (ignore_changes), and a rotation is a deliberate
# `terraform apply -replace=…` (docs/operations.md). The ECS task definitions
# inject them as environment variables; no value appears in the configuration.

locals {
  generated = {
    # Operator token for /v1/admin/* and the dashboard's sign-in (STRATA_ADMIN_TOKEN).
    "operator-token" = { length = 48, purpose = "Strata operator token (STRATA_ADMIN_TOKEN)" }
    # Authenticates node-to-node forwarding (STRATA_CLUSTER_SECRET).
    "cluster-secret" = { length = 48, purpose = "Strata cluster secret (STRATA_CLUSTER_SECRET)" }
    # RDS master password; DATABASE_URL below embeds it.
    "database-password" = { length = 40, purpose = "RDS master password" }
    # ElastiCache AUTH token (16-128 characters, no punctuation needed).
    "redis-auth-token" = { length = 64, purpose = "ElastiCache AUTH token" }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name} Secrets Manager"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-secrets"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_secretsmanager_random_password" "generated" {
  for_each            = local.generated
  password_length     = each.value.length
  exclude_punctuation = true
  include_space       = false
}

resource "aws_secretsmanager_secret" "generated" {
  for_each                = local.generated
  name                    = "${var.name}/${each.key}"
  description             = each.value.purpose
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "generated" {
  for_each      = local.generated
  secret_id     = aws_secretsmanager_secret.generated[each.key].id
  secret_string = data.aws_secretsmanager_random_password.generated[each.key].random_password

  # The generator answers a new value on every plan; keep the one stored first.
  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_secretsmanager_secret" "database_url" {
  name                    = "${var.name}/database-url"
  description             = "Strata DATABASE_URL (primary, master user, TLS)"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id = aws_secretsmanager_secret.database_url.id
  secret_string = format(
    "postgresql://%s:%s@%s:%d/%s?%s",
    var.database.username,
    aws_secretsmanager_secret_version.generated["database-password"].secret_string,
    var.database.address,
    var.database.port,
    var.database.name,
    var.database_ssl_query,
  )
}

resource "aws_secretsmanager_secret" "redis_url" {
  name                    = "${var.name}/redis-url"
  description             = "Strata REDIS_URL (TLS, AUTH token)"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id = aws_secretsmanager_secret.redis_url.id
  secret_string = format(
    "rediss://:%s@%s:%d",
    aws_secretsmanager_secret_version.generated["redis-auth-token"].secret_string,
    var.redis.address,
    var.redis.port,
  )
}
