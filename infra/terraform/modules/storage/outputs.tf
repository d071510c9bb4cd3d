output "bucket_name" {
  description = "Name of the object bucket (STRATA_OBJECTS_BUCKET)."
  value       = aws_s3_bucket.this.bucket
}

output "bucket_arn" {
  description = "ARN of the object bucket (for the task role's policy)."
  value       = aws_s3_bucket.this.arn
}
