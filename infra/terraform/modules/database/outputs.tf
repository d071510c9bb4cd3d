output "address" {
  description = "Host name of the primary."
  value       = aws_db_instance.primary.address
}

output "port" {
  description = "Port of the primary."
  value       = aws_db_instance.primary.port
}

output "database_name" {
  description = "Name of Strata's database."
  value       = aws_db_instance.primary.db_name
}

output "username" {
  description = "User Strata connects as."
  value       = aws_db_instance.primary.username
}

output "identifier" {
  description = "RDS identifier of the primary (CloudWatch DBInstanceIdentifier dimension, restore commands)."
  value       = aws_db_instance.primary.identifier
}

output "replica_identifier" {
  description = "RDS identifier of the read replica, or null without one."
  value       = var.read_replica ? aws_db_instance.replica[0].identifier : null
}

output "replica_address" {
  description = "Host name of the read replica, or null without one."
  value       = var.read_replica ? aws_db_instance.replica[0].address : null
}

output "allocated_storage_gb" {
  description = "Allocated storage of the primary in GiB (for the free-storage alarm)."
  value       = aws_db_instance.primary.allocated_storage
}
