# Task definitions. The image's entrypoint sets STRATA_ADVERTISE_URL from the
# task's own address (ECS metadata), so nodes can forward to each other.

locals {
  region    = data.aws_region.current.name
  api_image = "${aws_ecr_repository.this["api"].repository_url}:${var.image_tag}"

  node_environment = merge({
    STRATA_PORT           = "8080"
    STRATA_HOST           = "0.0.0.0"
    STRATA_BANNER         = "false"
    STRATA_DEMO           = "false"
    STRATA_LOG_LEVEL      = var.log_level
    STRATA_DB_POOL_SIZE   = tostring(var.db_pool_size)
    STRATA_ADMIN_URL      = "https://${var.admin_domain}"
    STRATA_OBJECTS_DRIVER = "s3"
    STRATA_OBJECTS_BUCKET = var.bucket_name
    STRATA_OBJECTS_REGION = local.region
    STRATA_REDIS_PREFIX   = var.name
  }, var.extra_environment)

  node_secrets = [for k, arn in var.node_env_secret_arns : { name = k, valueFrom = arn }]

  # Liveness only: readiness (database reachable) is the ALB's check, so a database
  # outage does not make ECS kill every task at once.
  node_health = {
    command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:8080/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
    interval    = 15
    timeout     = 5
    retries     = 3
    startPeriod = 60
  }

  # The collector scrapes the node in the same task (shared network namespace) and
  # publishes the alert and lag gauges the alarms watch.
  collector_config = yamlencode({
    receivers = {
      prometheus = {
        config = {
          scrape_configs = [{
            job_name        = "strata"
            scrape_interval = "30s"
            metrics_path    = "/metrics"
            # /metrics takes the operator token (STRATA_METRICS_PUBLIC is off); the collector
            # expands its own environment, where the token arrives as a secret.
            authorization  = { type = "Bearer", credentials = "$${env:STRATA_ADMIN_TOKEN}" }
            static_configs = [{ targets = ["127.0.0.1:8080"], labels = { deployment = var.name } }]
            metric_relabel_configs = [{
              source_labels = ["__name__"]
              regex         = "strata_(alerts_open|consumer_lag_max_messages|stream_messages_committed_total|http_requests_total)"
              action        = "keep"
            }]
          }]
        }
      }
    }
    exporters = {
      awsemf = {
        namespace               = var.metrics_namespace
        log_group_name          = var.log_group_names.metrics
        region                  = local.region
        dimension_rollup_option = "NoDimensionRollup"
        metric_declarations = [
          { dimensions = [["deployment", "kind"]], metric_name_selectors = ["strata_alerts_open"] },
          { dimensions = [["deployment"]], metric_name_selectors = ["strata_consumer_lag_max_messages"] },
        ]
      }
    }
    service = { pipelines = { metrics = { receivers = ["prometheus"], exporters = ["awsemf"] } } }
  })

  collector = {
    name        = "metrics"
    image       = var.metrics_collector_image
    essential   = false
    environment = [{ name = "AOT_CONFIG_CONTENT", value = local.collector_config }]
    secrets     = [{ name = "STRATA_ADMIN_TOKEN", valueFrom = var.node_env_secret_arns["STRATA_ADMIN_TOKEN"] }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_names.metrics
        awslogs-region        = local.region
        awslogs-stream-prefix = "collector"
      }
    }
  }
}

resource "aws_ecs_task_definition" "node" {
  for_each = {
    api    = var.api
    worker = var.worker
  }

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.node_execution.arn
  task_role_arn            = aws_iam_role.node_task.arn
  tags                     = var.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name         = "strata"
      image        = local.api_image
      essential    = true
      portMappings = [{ containerPort = 8080, protocol = "tcp", name = "http" }]
      environment = [
        for k, v in merge(local.node_environment, {
          STRATA_ROLE = each.key
          # Leave a quarter of the task's memory to buffers and native allocations.
          NODE_OPTIONS = "--max-old-space-size=${floor(each.value.memory * 0.75)}"
        }) : { name = k, value = v }
      ]
      secrets     = local.node_secrets
      healthCheck = local.node_health
      # SIGTERM -> the node drains (hands its streams, buckets and documents over) and exits.
      stopTimeout = var.stop_timeout_seconds
      ulimits     = [{ name = "nofile", softLimit = 65535, hardLimit = 65535 }]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = var.log_group_names[each.key]
          awslogs-region        = local.region
          awslogs-stream-prefix = each.key
        }
      }
    },
    local.collector,
  ])
}

resource "aws_ecs_task_definition" "admin" {
  family                   = "${var.name}-admin"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.admin.cpu
  memory                   = var.admin.memory
  execution_role_arn       = aws_iam_role.admin_execution.arn
  tags                     = var.tags

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name         = "admin"
    image        = "${aws_ecr_repository.this["admin"].repository_url}:${var.image_tag}"
    essential    = true
    portMappings = [{ containerPort = 3000, protocol = "tcp", name = "http" }]
    environment = [
      { name = "STRATA_API_URL", value = "https://${var.api_domain}" },
    ]
    healthCheck = {
      command     = ["CMD", "node", "-e", "fetch('http://127.0.0.1:3000/login').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    stopTimeout = 15
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_names.admin
        awslogs-region        = local.region
        awslogs-stream-prefix = "admin"
      }
    }
  }])
}
