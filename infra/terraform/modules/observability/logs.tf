# Log groups (with retention) and the alarm topic every alarm notifies.

data "aws_caller_identity" "current" {}

resource "aws_cloudwatch_log_group" "this" {
  for_each          = toset(["api", "worker", "admin", "metrics", "redis-slow"])
  name              = "/strata/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

# The AWS-managed SNS key cannot be used by CloudWatch alarms; this key lets them publish.
data "aws_iam_policy_document" "alarm_key" {
  statement {
    sid       = "Account"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchAlarms"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "alarms" {
  description         = "${var.name} alarm topic"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.alarm_key.json
  tags                = var.tags
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.alarms.arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.alarm_emails)
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}
