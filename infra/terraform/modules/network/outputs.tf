output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "Public subnets (ALB, NAT gateways), one per zone."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnets (tasks, RDS, Redis), one per zone."
  value       = aws_subnet.private[*].id
}

output "security_group_ids" {
  description = "Security group of each tier: alb, app (API and worker tasks), admin, database, cache."
  value = {
    alb      = aws_security_group.alb.id
    app      = aws_security_group.app.id
    admin    = aws_security_group.admin.id
    database = aws_security_group.database.id
    cache    = aws_security_group.cache.id
  }
}
