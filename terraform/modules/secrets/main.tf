# The application's secrets in Secrets Manager, under a customer-managed KMS
# key that also encrypts the rest of its data at rest (the database, the media
# file system, the cache): pass kms_key_arn to those modules.
#
# ECS injects the secrets into the tasks at start (the task definition's
# `secrets`), so they never appear in a task definition or in the environment
# of a `describe-tasks` call. They do appear in the Terraform state: keep the
# state bucket encrypted and its access narrow.

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

# --- KMS key ---------------------------------------------------------------------

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" is the key itself; kms:* goes only to this account's root, which delegates to IAM (AWS's default key policy).
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" is the key itself; only this account's root is a principal.
  #checkov:skip=CKV_AWS_356:Key policy: Resource "*" is the only resource a key policy can name (the key itself).
  statement {
    sid       = "AccountAdministersTheKeyThroughIAM"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: application data at rest (secrets, database, media, cache)"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_key_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms.json

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-data"
  target_key_id = aws_kms_key.this.key_id
}

# --- Generated values --------------------------------------------------------------
#
# Generated always, used unless a value was passed in: a sensitive input cannot
# decide a count.

resource "random_password" "jwt" {
  length  = 64
  special = false
}

resource "random_password" "database" {
  length = 40
  # Characters that need no escaping in a URL and that RDS accepts.
  special          = true
  override_special = "-_.~"
}

resource "random_password" "redis_auth_token" {
  # ElastiCache: 16-128 printable characters, no / " @.
  length  = 64
  special = false
}

locals {
  jwt_secret        = coalesce(var.jwt_secret, random_password.jwt.result)
  database_password = coalesce(var.database_password, random_password.database.result)
  redis_auth_token  = random_password.redis_auth_token.result

  database_url = format(
    "postgres://%s:%s@%s:%d/%s?sslmode=require",
    urlencode(var.database.username),
    urlencode(local.database_password),
    var.database.host,
    var.database.port,
    var.database.name,
  )
  redis_url = var.redis == null ? null : format("rediss://:%s@%s:%d/0", urlencode(local.redis_auth_token), var.redis.host, var.redis.port)

  # What is stored (descriptions only: the keys must not depend on a secret).
  secret_descriptions = merge(
    {
      jwt-secret        = "JWT_SECRET of the API: the HS256 key of its access tokens."
      database-password = "Password of the database's master user ${var.database.username}."
      database-url      = "DATABASE_URL of the API (postgres://, sslmode=require)."
      redis-auth-token  = "AUTH token of the ElastiCache replication group."
    },
    var.redis == null ? {} : { redis-url = "REDIS_URL of the API (rediss://, with the AUTH token)." },
  )
  secret_values = {
    jwt-secret        = local.jwt_secret
    database-password = local.database_password
    database-url      = local.database_url
    redis-auth-token  = local.redis_auth_token
    redis-url         = local.redis_url
  }
}

resource "aws_secretsmanager_secret" "this" {
  for_each = local.secret_descriptions

  #checkov:skip=CKV2_AWS_57:Static application secrets with no rotation Lambda: the API reads them once at start, and rotating JWT_SECRET ends every session; rotate by changing the input and redeploying (README).
  name                    = "${var.name}/${each.key}"
  description             = each.value
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_in_days

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "this" {
  for_each = local.secret_descriptions

  secret_id     = aws_secretsmanager_secret.this[each.key].id
  secret_string = local.secret_values[each.key]
}
