# Alarms. Each one's meaning and what to do is in docs/operations.md, "Alarms"
# (the alarm description names the section).

locals {
  actions = [aws_sns_topic.alarms.arn]

  # The node's open operator alerts (GET /v1/admin/alerts), one alarm per kind.
  alert_kinds = {
    split_brain  = "A node lost its lease while alive and stepped down"
    node_down    = "A node missed its lease and was declared dead"
    fenced_write = "A commit was refused by fencing (a stale owner tried to write)"
    lag          = "A durable consumer is past STRATA_LAG_ALERT_MESSAGES behind"
    job_failed   = "A background job (compaction, tiering, retention, heartbeat monitor) failed"
    tier_corrupt = "A tiered segment or snapshot object is missing or corrupt"
  }
}

resource "aws_cloudwatch_metric_alarm" "alert" {
  for_each            = local.alert_kinds
  alarm_name          = "${var.name}-alert-${each.key}"
  alarm_description   = "${each.value}. docs/operations.md#alarm-alert-${replace(each.key, "_", "-")}"
  namespace           = var.metrics_namespace
  metric_name         = "strata_alerts_open"
  dimensions          = { deployment = var.name, kind = each.key }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "consumer_lag" {
  alarm_name          = "${var.name}-consumer-lag"
  alarm_description   = "The most-behind durable consumer is ${var.lag_alarm_messages}+ messages behind for 5 minutes. docs/operations.md#alarm-consumer-lag"
  namespace           = var.metrics_namespace
  metric_name         = "strata_consumer_lag_max_messages"
  dimensions          = { deployment = var.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.lag_alarm_messages
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_5xx_rate" {
  alarm_name          = "${var.name}-api-5xx-rate"
  alarm_description   = "More than ${var.error_rate_percent}% of API requests answered 5xx over 5 minutes. docs/operations.md#alarm-api-5xx-rate"
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  threshold           = var.error_rate_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags

  metric_query {
    id          = "rate"
    label       = "5xx percent"
    expression  = "IF(FILL(requests, 0) > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)"
    return_data = true
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.api_target_group_arn_suffix }
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "target5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.api_target_group_arn_suffix }
      stat        = "Sum"
      period      = 60
    }
  }

  # 502/503/504 from the ALB itself: no healthy target, or a target that reset the connection.
  metric_query {
    id = "elb5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      stat        = "Sum"
      period      = 60
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "api_unhealthy" {
  alarm_name          = "${var.name}-api-unhealthy-targets"
  alarm_description   = "An API task fails /health/ready for 3 minutes. docs/operations.md#alarm-api-unhealthy-targets"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.api_target_group_arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  alarm_name          = "${var.name}-rds-cpu"
  alarm_description   = "RDS primary CPU above 80% for 15 minutes. docs/operations.md#alarm-rds-cpu"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = var.database.identifier }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_storage" {
  alarm_name          = "${var.name}-rds-free-storage"
  alarm_description   = "RDS primary has under 10% of its allocated storage free. docs/operations.md#alarm-rds-free-storage"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.database.identifier }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.database.allocated_storage_gb * 1073741824 * 0.1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_connections" {
  alarm_name          = "${var.name}-rds-connections"
  alarm_description   = "RDS connections above 80% of max_connections. docs/operations.md#alarm-rds-connections"
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  dimensions          = { DBInstanceIdentifier = var.database.identifier }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = floor(var.database.max_connections * 0.8)
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_replica_lag" {
  count               = var.database.replica_identifier == null ? 0 : 1
  alarm_name          = "${var.name}-rds-replica-lag"
  alarm_description   = "The read replica is more than 30 s behind the primary. docs/operations.md#alarm-rds-replica-lag"
  namespace           = "AWS/RDS"
  metric_name         = "ReplicaLag"
  dimensions          = { DBInstanceIdentifier = var.database.replica_identifier }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 30
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "redis_memory" {
  for_each            = toset([for i in range(var.cache.node_count) : format("%s-%03d", var.cache.replication_group_id, i + 1)])
  alarm_name          = "${var.name}-redis-memory-${each.key}"
  alarm_description   = "Redis memory above 80% (noeviction: writes fail when full). docs/operations.md#alarm-redis-memory"
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  dimensions          = { CacheClusterId = each.key }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions
  tags                = var.tags
}
