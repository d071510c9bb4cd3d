# RDS PostgreSQL: encrypted, backed up with PITR, Multi-AZ by default, protected
# from deletion, with a parameter group for Strata's write pattern (large
# group-commit transactions appended by a few owners, bulk deletes by tiering).

locals {
  major = split(".", var.engine_version)[0]

  # apply_method: static parameters wait for a reboot (in the maintenance window).
  parameters = [
    # Durable acks mean "committed and flushed": never let anyone turn this off server-wide.
    { name = "synchronous_commit", value = "on", apply_method = "immediate" },
    { name = "rds.force_ssl", value = "1", apply_method = "immediate" },
    # Group commit writes WAL in large bursts: fewer, spread checkpoints and compressed full-page images.
    { name = "max_wal_size", value = "16384", apply_method = "immediate" },
    { name = "checkpoint_timeout", value = "900", apply_method = "immediate" },
    { name = "checkpoint_completion_target", value = "0.9", apply_method = "immediate" },
    { name = "wal_compression", value = "lz4", apply_method = "immediate" },
    # stream_messages is insert-mostly; tiering deletes old rows in bulk, and their pages
    # must be vacuumed before they are reused (docs/benchmarks.md, tiering).
    { name = "autovacuum_vacuum_insert_scale_factor", value = "0.05", apply_method = "immediate" },
    { name = "autovacuum_vacuum_scale_factor", value = "0.05", apply_method = "immediate" },
    { name = "autovacuum_vacuum_cost_limit", value = "2000", apply_method = "immediate" },
    { name = "autovacuum_max_workers", value = "6", apply_method = "pending-reboot" },
    { name = "random_page_cost", value = "1.1", apply_method = "immediate" },
    # A node sets its own (its lease TTL); this catches any other client left in a transaction.
    { name = "idle_in_transaction_session_timeout", value = "60000", apply_method = "immediate" },
    { name = "max_connections", value = tostring(var.max_connections), apply_method = "pending-reboot" },
    { name = "shared_preload_libraries", value = "pg_stat_statements", apply_method = "pending-reboot" },
    { name = "track_io_timing", value = "1", apply_method = "immediate" },
    { name = "log_min_duration_statement", value = "1000", apply_method = "immediate" },
    { name = "log_lock_waits", value = "1", apply_method = "immediate" },
    { name = "log_autovacuum_min_duration", value = "10000", apply_method = "immediate" },
  ]
}

resource "aws_kms_key" "this" {
  description             = "${var.name} RDS storage and Performance Insights"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-rds"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_db_subnet_group" "this" {
  name       = "${var.name}-pg"
  subnet_ids = var.subnet_ids
  tags       = var.tags
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-pg${local.major}-"
  family      = "postgres${local.major}"
  description = "Strata: group commit, durable acks, insert-heavy autovacuum"
  tags        = var.tags

  dynamic "parameter" {
    for_each = local.parameters
    content {
      name         = parameter.value.name
      value        = parameter.value.value
      apply_method = parameter.value.apply_method
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "monitoring" {
  name_prefix        = "${var.name}-rds-mon-"
  assume_role_policy = data.aws_iam_policy_document.monitoring_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "primary" {
  identifier     = "${var.name}-pg"
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class

  db_name  = var.database_name
  username = var.master_username
  password = var.master_password
  port     = 5432

  allocated_storage     = var.allocated_storage_gb
  max_allocated_storage = var.max_allocated_storage_gb
  storage_type          = "gp3"
  iops                  = var.iops
  storage_throughput    = var.storage_throughput
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.this.arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [var.security_group_id]
  parameter_group_name   = aws_db_parameter_group.this.name
  publicly_accessible    = false
  multi_az               = var.multi_az
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  # Automated backups + WAL archiving = point-in-time restore to any second in the window.
  backup_retention_period   = var.backup_retention_days
  backup_window             = var.backup_window
  maintenance_window        = var.maintenance_window
  copy_tags_to_snapshot     = true
  delete_automated_backups  = false
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = "${var.name}-pg-final"

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.monitoring.arn
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]

  auto_minor_version_upgrade  = true
  allow_major_version_upgrade = false
  apply_immediately           = false

  tags = var.tags
}

resource "aws_db_instance" "replica" {
  count               = var.read_replica ? 1 : 0
  identifier          = "${var.name}-pg-replica"
  replicate_source_db = aws_db_instance.primary.identifier
  instance_class      = var.instance_class

  storage_type           = "gp3"
  iops                   = var.iops
  storage_throughput     = var.storage_throughput
  storage_encrypted      = true
  kms_key_id             = aws_kms_key.this.arn
  vpc_security_group_ids = [var.security_group_id]
  parameter_group_name   = aws_db_parameter_group.this.name
  publicly_accessible    = false
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period = 0
  skip_final_snapshot     = true
  deletion_protection     = var.deletion_protection

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.monitoring.arn

  auto_minor_version_upgrade = true
  apply_immediately          = false

  tags = var.tags
}
