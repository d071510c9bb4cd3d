# Strata on AWS: one VPC, RDS PostgreSQL, ElastiCache Redis, an S3 object
# store, ECS Fargate services behind an ALB, secrets and alarms.
# docs/operations.md walks through deploying and running it.

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  zones = slice(data.aws_availability_zones.available.names, 0, var.zone_count)
  # Every task at its ceiling holding a full pool, plus migrations, operators and RDS's own.
  max_connections = (var.api.max_count + var.worker.max_count) * var.db_pool_size + 50
}

module "network" {
  source             = "../../modules/network"
  name               = var.name
  cidr_block         = var.vpc_cidr
  availability_zones = local.zones
  single_nat_gateway = var.single_nat_gateway
}

module "secrets" {
  source               = "../../modules/secrets"
  name                 = var.name
  recovery_window_days = var.throwaway ? 0 : 7
  database = {
    address  = module.database.address
    port     = module.database.port
    name     = module.database.database_name
    username = module.database.username
  }
  redis = {
    address = module.cache.primary_endpoint
    port    = module.cache.port
  }
}

module "database" {
  source                   = "../../modules/database"
  name                     = var.name
  subnet_ids               = module.network.private_subnet_ids
  security_group_id        = module.network.security_group_ids.database
  engine_version           = var.database.engine_version
  instance_class           = var.database.instance_class
  allocated_storage_gb     = var.database.allocated_storage_gb
  max_allocated_storage_gb = var.database.max_allocated_storage
  iops                     = var.database.iops
  storage_throughput       = var.database.storage_throughput
  multi_az                 = var.database.multi_az
  backup_retention_days    = var.database.backup_retention_days
  read_replica             = var.database.read_replica
  deletion_protection      = var.database.deletion_protection
  max_connections          = local.max_connections
  master_password          = module.secrets.database_password
}

module "cache" {
  source            = "../../modules/cache"
  name              = var.name
  subnet_ids        = module.network.private_subnet_ids
  security_group_id = module.network.security_group_ids.cache
  node_type         = var.redis.node_type
  replicas          = var.redis.replicas
  auth_token        = module.secrets.redis_auth_token
  log_group_name    = module.observability.log_group_names["redis-slow"]
}

module "storage" {
  source        = "../../modules/storage"
  name          = var.name
  task_role_arn = module.service.node_task_role_arn
  force_destroy = var.throwaway
}

module "service" {
  source             = "../../modules/service"
  name               = var.name
  vpc_id             = module.network.vpc_id
  public_subnet_ids  = module.network.public_subnet_ids
  private_subnet_ids = module.network.private_subnet_ids
  security_group_ids = {
    alb   = module.network.security_group_ids.alb
    app   = module.network.security_group_ids.app
    admin = module.network.security_group_ids.admin
  }
  certificate_arn         = var.certificate_arn
  api_domain              = var.api_domain
  admin_domain            = var.admin_domain
  route53_zone_id         = var.route53_zone_id
  image_tag               = var.image_tag
  api                     = var.api
  worker                  = var.worker
  admin                   = var.admin
  db_pool_size            = var.db_pool_size
  node_env_secret_arns    = module.secrets.node_env_secret_arns
  secrets_kms_key_arn     = module.secrets.kms_key_arn
  bucket_name             = module.storage.bucket_name
  bucket_arn              = module.storage.bucket_arn
  extra_environment       = var.node_settings
  alb_deletion_protection = !var.throwaway
  log_group_names = {
    api     = module.observability.log_group_names["api"]
    worker  = module.observability.log_group_names["worker"]
    admin   = module.observability.log_group_names["admin"]
    metrics = module.observability.log_group_names["metrics"]
  }
}

module "observability" {
  source                      = "../../modules/observability"
  name                        = var.name
  log_retention_days          = var.log_retention_days
  alarm_emails                = var.alarm_emails
  lag_alarm_messages          = tonumber(lookup(var.node_settings, "STRATA_LAG_ALERT_MESSAGES", "10000"))
  alb_arn_suffix              = module.service.alb_arn_suffix
  api_target_group_arn_suffix = module.service.api_target_group_arn_suffix
  database = {
    identifier           = module.database.identifier
    replica_identifier   = module.database.replica_identifier
    allocated_storage_gb = module.database.allocated_storage_gb
    max_connections      = local.max_connections
  }
  cache = {
    replication_group_id = module.cache.replication_group_id
    node_count           = module.cache.node_count
  }
}
