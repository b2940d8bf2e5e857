# Logs and alarms: KMS-encrypted CloudWatch log groups, an encrypted SNS topic
# and the CloudWatch alarms that stand in for docker/monitoring/alert_rules.yml
# where Prometheus does not run (see README.md for the mapping).

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

locals {
  partition  = data.aws_partition.current.partition
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  runbook    = "Runbook: docs/operations.md"
}

# --- KMS key for log groups and the alarm topic --------------------------------

data "aws_iam_policy_document" "kms" {
  # A key policy's "*" resource means "this key" and nothing else.
  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" is the key itself; kms:* goes only to this account's root (as in AWS's default key policy).
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" is the key itself; CloudWatch Logs is bound to this account's log groups by the encryption context, the alarm services get only Decrypt/GenerateDataKey.
  #checkov:skip=CKV_AWS_356:Key policy: Resource "*" is the only resource a key policy can name (the key itself).
  # The account administers the key through IAM, as with AWS's default key policy.
  statement {
    sid       = "AccountAdministersTheKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch Logs encrypts this account's log groups in this region, and nothing else.
  statement {
    sid = "CloudWatchLogsEncryptsLogGroups"
    actions = [
      "kms:Encrypt",
      "kms:Decrypt",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }

  # CloudWatch alarms and RDS event notifications publish to the encrypted
  # topic. No source condition: these services do not pass one to KMS; the
  # topic policy below is what limits publishing to this account.
  statement {
    sid       = "AlarmSourcesPublishToTheTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: CloudWatch log groups and the alarm topic"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms.json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-observability"
  target_key_id = aws_kms_key.this.key_id
}

# --- Log groups ---------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  for_each = var.log_groups

  name              = each.value.name
  retention_in_days = coalesce(each.value.retention_in_days, var.default_log_retention_in_days)
  kms_key_id        = aws_kms_key.this.arn

  tags = merge(var.tags, { Handle = each.key })
}

# --- Alarm topic ----------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.this.arn

  tags = var.tags
}

data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid = "AccountManagesTheTopic"
    actions = [
      "sns:GetTopicAttributes",
      "sns:SetTopicAttributes",
      "sns:AddPermission",
      "sns:RemovePermission",
      "sns:DeleteTopic",
      "sns:Subscribe",
      "sns:ListSubscriptionsByTopic",
      "sns:Publish",
    ]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "AlarmSourcesPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.rds.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# --- Alarms ---------------------------------------------------------------------
#
# Each alarm carries the name of the Prometheus alert it mirrors. Alarms with
# no Prometheus counterpart (WebDown, DatabaseCpuHigh, DatabaseStorageLow) are
# marked so in their description.

locals {
  alb_api = {
    LoadBalancer = var.load_balancer_arn_suffix
    TargetGroup  = var.api_target_group_arn_suffix
  }
  alb_web = {
    LoadBalancer = var.load_balancer_arn_suffix
    TargetGroup  = var.web_target_group_arn_suffix
  }
  rds = { DBInstanceIdentifier = var.db_instance_identifier }

  # One shape for every single-metric alarm: statistic or extended_statistic.
  metric_alarms = {
    ApiDown = {
      mirrors            = "ApiDown"
      description        = "Mirrors ApiDown: no API task passes the load balancer's /readyz health check. ${local.runbook}#apidown"
      namespace          = "AWS/ApplicationELB"
      metric_name        = "HealthyHostCount"
      dimensions         = local.alb_api
      statistic          = "Minimum"
      extended_statistic = null
      period             = 60
      evaluation_periods = 1
      comparison         = "LessThanThreshold"
      threshold          = 1
      treat_missing_data = "breaching"
    }
    ApiDown-RunningTasks = {
      mirrors            = "ApiDown"
      description        = "Mirrors ApiDown: the API's ECS service runs no task (Container Insights). ${local.runbook}#apidown"
      namespace          = "ECS/ContainerInsights"
      metric_name        = "RunningTaskCount"
      dimensions         = { ClusterName = var.ecs_cluster_name, ServiceName = var.api_service_name }
      statistic          = "Minimum"
      extended_statistic = null
      period             = 60
      evaluation_periods = 1
      comparison         = "LessThanThreshold"
      threshold          = 1
      treat_missing_data = "breaching"
    }
    WebDown = {
      mirrors            = null
      description        = "CloudWatch only (no Prometheus rule): no nginx task passes the load balancer's health check, so the site is down."
      namespace          = "AWS/ApplicationELB"
      metric_name        = "HealthyHostCount"
      dimensions         = local.alb_web
      statistic          = "Minimum"
      extended_statistic = null
      period             = 60
      evaluation_periods = 1
      comparison         = "LessThanThreshold"
      threshold          = 1
      treat_missing_data = "breaching"
    }
    DatabaseDown = {
      mirrors            = "DatabaseDown"
      description        = "Mirrors DatabaseDown: the RDS instance has published no metrics for 3 minutes (stopped, failed or unreachable); RDS events on the same topic say why. ${local.runbook}#databasedown"
      namespace          = "AWS/RDS"
      metric_name        = "CPUUtilization"
      dimensions         = local.rds
      statistic          = "SampleCount"
      extended_statistic = null
      period             = 60
      evaluation_periods = 3
      comparison         = "LessThanThreshold"
      threshold          = 1
      treat_missing_data = "breaching"
    }
    HighLatencyP95 = {
      mirrors            = "HighLatencyP95"
      description        = "Mirrors HighLatencyP95: the API's p95 response time at the load balancer is above ${var.latency_p95_threshold_seconds} s for 10 minutes. ${local.runbook}#highlatencyp95"
      namespace          = "AWS/ApplicationELB"
      metric_name        = "TargetResponseTime"
      dimensions         = local.alb_api
      statistic          = null
      extended_statistic = "p95"
      period             = 60
      evaluation_periods = 10
      comparison         = "GreaterThanThreshold"
      threshold          = var.latency_p95_threshold_seconds
      treat_missing_data = "notBreaching"
    }
    DbPoolSaturated = {
      mirrors            = "DbPoolSaturated"
      description        = "Stands in for DbPoolSaturated (the pool's own gauges are not in CloudWatch): RDS holds more than ${var.db_connections_threshold} connections for 5 minutes, about 90% of what the API's pools can open. ${local.runbook}#dbpoolsaturated"
      namespace          = "AWS/RDS"
      metric_name        = "DatabaseConnections"
      dimensions         = local.rds
      statistic          = "Maximum"
      extended_statistic = null
      period             = 60
      evaluation_periods = 5
      comparison         = "GreaterThanThreshold"
      threshold          = var.db_connections_threshold
      treat_missing_data = "notBreaching"
    }
    DatabaseCpuHigh = {
      mirrors            = null
      description        = "CloudWatch only (no Prometheus rule): the RDS instance's CPU is above ${var.db_cpu_threshold_percent}% for 15 minutes; queries slow down and pools saturate next."
      namespace          = "AWS/RDS"
      metric_name        = "CPUUtilization"
      dimensions         = local.rds
      statistic          = "Average"
      extended_statistic = null
      period             = 300
      evaluation_periods = 3
      comparison         = "GreaterThanThreshold"
      threshold          = var.db_cpu_threshold_percent
      treat_missing_data = "notBreaching"
    }
    DatabaseStorageLow = {
      mirrors            = null
      description        = "CloudWatch only (no Prometheus rule): the RDS instance has less than ${var.db_free_storage_threshold_bytes} bytes of free storage (storage autoscaling may be at its maximum)."
      namespace          = "AWS/RDS"
      metric_name        = "FreeStorageSpace"
      dimensions         = local.rds
      statistic          = "Minimum"
      extended_statistic = null
      period             = 300
      evaluation_periods = 1
      comparison         = "LessThanThreshold"
      threshold          = var.db_free_storage_threshold_bytes
      treat_missing_data = "notBreaching"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "metric" {
  for_each = local.metric_alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric_name
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  extended_statistic  = each.value.extended_statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.evaluation_periods
  comparison_operator = each.value.comparison
  threshold           = each.value.threshold
  treat_missing_data  = each.value.treat_missing_data

  alarm_actions = [aws_sns_topic.alarms.arn]
  ok_actions    = [aws_sns_topic.alarms.arn]

  tags = merge(var.tags, { MirrorsPrometheusAlert = coalesce(each.value.mirrors, "none") })
}

# HighErrorRatio: 5xx answers of the API over all its requests, per minute,
# above the threshold for 5 minutes in a row (Prometheus: rate over 5m, for 5m).
resource "aws_cloudwatch_metric_alarm" "high_error_ratio" {
  alarm_name          = "${var.name}-HighErrorRatio"
  alarm_description   = "Mirrors HighErrorRatio: more than ${var.error_ratio_threshold * 100}% of the API's requests answer 5xx for 5 minutes. ${local.runbook}#higherrorratio"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_ratio_threshold
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "ratio"
    expression  = "IF(requests > 0, FILL(errors, 0) / requests, 0)"
    label       = "Share of API requests answered 5xx"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = local.alb_api
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = local.alb_api
      stat        = "Sum"
      period      = 60
    }
  }

  alarm_actions = [aws_sns_topic.alarms.arn]
  ok_actions    = [aws_sns_topic.alarms.arn]

  tags = merge(var.tags, { MirrorsPrometheusAlert = "HighErrorRatio" })
}

# DatabaseDown's other half: RDS says so itself when the instance fails, fails
# over, becomes unavailable or runs low on storage.
resource "aws_db_event_subscription" "database" {
  name        = "${var.name}-DatabaseDown"
  sns_topic   = aws_sns_topic.alarms.arn
  source_type = "db-instance"
  source_ids  = [var.db_instance_identifier]
  event_categories = [
    "availability",
    "failover",
    "failure",
    "low storage",
  ]

  tags = merge(var.tags, { MirrorsPrometheusAlert = "DatabaseDown" })

  depends_on = [aws_sns_topic_policy.alarms]
}
