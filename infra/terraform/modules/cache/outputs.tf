output "primary_endpoint" {
  description = "Host name of the primary (writes; BullMQ and pub/sub use it)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Redis port."
  value       = aws_elasticache_replication_group.this.port
}

output "replication_group_id" {
  description = "Replication group id; its members (CloudWatch CacheClusterId) are <id>-001, <id>-002, …"
  value       = aws_elasticache_replication_group.this.replication_group_id
}

output "node_count" {
  description = "Members of the replication group (primary and replicas)."
  value       = aws_elasticache_replication_group.this.num_cache_clusters
}
