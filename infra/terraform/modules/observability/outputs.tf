output "log_group_names" {
  description = "Log groups: api, worker, admin, metrics (collector EMF records), redis-slow."
  value       = { for k, g in aws_cloudwatch_log_group.this : k => g.name }
}

output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies (subscribe on-call tools to it)."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of every alarm."
  value = concat(
    [for a in aws_cloudwatch_metric_alarm.alert : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.redis_memory : a.alarm_name],
    aws_cloudwatch_metric_alarm.rds_replica_lag[*].alarm_name,
    [
      aws_cloudwatch_metric_alarm.consumer_lag.alarm_name,
      aws_cloudwatch_metric_alarm.api_5xx_rate.alarm_name,
      aws_cloudwatch_metric_alarm.api_unhealthy.alarm_name,
      aws_cloudwatch_metric_alarm.rds_cpu.alarm_name,
      aws_cloudwatch_metric_alarm.rds_storage.alarm_name,
      aws_cloudwatch_metric_alarm.rds_connections.alarm_name,
    ],
  )
}
