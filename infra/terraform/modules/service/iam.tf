# Least privilege: the nodes' execution role reads exactly their secrets and
# writes their logs; their task role touches only the object bucket and the
# metrics log group; the admin gets no task role at all.

locals {
  log_group_arns = {
    for k, n in var.log_group_names : k => "arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:${n}"
  }
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

data "aws_iam_policy_document" "node_execution" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.this["api"].arn]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arns.api}:*", "${local.log_group_arns.worker}:*", "${local.log_group_arns.metrics}:*"]
  }
  statement {
    sid       = "Secrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(var.node_env_secret_arns)
  }
  statement {
    sid       = "DecryptSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.secrets_kms_key_arn]
  }
}

resource "aws_iam_role" "node_execution" {
  name_prefix        = "${var.name}-node-exec-"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "node_execution" {
  name   = "node-execution"
  role   = aws_iam_role.node_execution.id
  policy = data.aws_iam_policy_document.node_execution.json
}

data "aws_iam_policy_document" "node_task" {
  statement {
    sid       = "Objects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.bucket_arn}/*"]
  }
  statement {
    sid       = "ListObjects"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]
  }
  # The collector sidecar publishes metrics as embedded-metric-format log records.
  statement {
    sid       = "MetricsLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [local.log_group_arns.metrics, "${local.log_group_arns.metrics}:*"]
  }
}

resource "aws_iam_role" "node_task" {
  name_prefix        = "${var.name}-node-task-"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "node_task" {
  name   = "node-task"
  role   = aws_iam_role.node_task.id
  policy = data.aws_iam_policy_document.node_task.json
}

data "aws_iam_policy_document" "admin_execution" {
  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PullImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.this["admin"].arn]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arns.admin}:*"]
  }
}

resource "aws_iam_role" "admin_execution" {
  name_prefix        = "${var.name}-admin-exec-"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy" "admin_execution" {
  name   = "admin-execution"
  role   = aws_iam_role.admin_execution.id
  policy = data.aws_iam_policy_document.admin_execution.json
}
