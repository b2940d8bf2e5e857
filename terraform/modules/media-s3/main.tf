# The uploaded images in a private S3 bucket, served to browsers by a
# CloudFront distribution that reads the bucket through Origin Access Control
# (SigV4-signed requests). The bucket policy lets only that distribution read
# and refuses anything without TLS; the API writes with the IAM policy
# api_policy_arn grants its task role (MEDIA_STORE=s3).
#
# CloudFront with OAC rather than presigned URLs: an image is public once it
# is posted, so anyone may fetch it. One long-lived URL per image is then what
# the edge caches can keep (a presigned URL differs per request and expiry, so
# every one misses the cache), the API signs nothing per request, and the
# bucket itself stays private. Presigned URLs (or CloudFront signed URLs) are
# for media that must stay private, which Tweets has none of.

data "aws_region" "current" {}

locals {
  origin_id = "s3-media"
  custom    = var.domain_name != null
}

# --- Bucket ------------------------------------------------------------------------

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_144:Versioning with noncurrent_version_expiration_days recovers overwritten or deleted images, and S3 keeps every object in three or more zones; a region-wide outage takes the API (same region) down too, so a replica would double storage and transfer costs without keeping the site up.
  #checkov:skip=CKV2_AWS_62:Nothing consumes uploads as they arrive: the API records each image in the database itself, and there is no thumbnail or scanning pipeline for event notifications to feed.
  bucket        = var.bucket_name
  bucket_prefix = var.bucket_name == null ? "${var.name}-media-" : null
  force_destroy = var.force_destroy

  tags = merge(var.tags, { Name = "${var.name}-media" })
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# No ACLs at all: the bucket owner owns every object, whoever wrote it.
resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

# SSE-S3 by default: the images are public through CloudFront once posted,
# and SSE-KMS would need CloudFront in the key policy and a KMS request per
# cache miss (fewer with the Bucket Key). kms_key_arn turns SSE-KMS on.
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    # One data key per bucket instead of one KMS request per object (SSE-KMS only).
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }

    # A deleted image leaves a delete marker; once its old versions expire the
    # marker is alone and goes too.
    expiration {
      expired_object_delete_marker = true
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_upload_days
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# Off by default (no log bucket of the environment takes S3 server access
# logs): CloudFront's metrics and the API's own logs cover uploads and reads.
resource "aws_s3_bucket_logging" "this" {
  count = var.access_logs == null ? 0 : 1

  bucket        = aws_s3_bucket.this.id
  target_bucket = var.access_logs.bucket
  target_prefix = var.access_logs.prefix
}

# Only the distribution reads, and only over TLS 1.2 or later. The API's task
# role writes through its own IAM policy (same account), below.
data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "CloudFrontReadsImages"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.this.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

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

  statement {
    sid       = "DenyTlsBelow12"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.bucket.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# --- CloudFront ------------------------------------------------------------------------

resource "aws_cloudfront_origin_access_control" "this" {
  name                              = "${var.name}-media"
  description                       = "${var.name}: CloudFront reads the media bucket with signed requests"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

# Stored names are random and never reused: the bytes under a URL never
# change, so a long TTL cannot serve a stale image. Nothing from the request
# (cookies, headers, query strings) varies an image, so none of it is in the
# cache key or reaches S3.
resource "aws_cloudfront_cache_policy" "images" {
  name        = "${var.name}-media-images"
  comment     = "Immutable images: random names, never rewritten"
  min_ttl     = 0
  default_ttl = var.cache_ttl_seconds
  max_ttl     = var.cache_ttl_seconds

  parameters_in_cache_key_and_forwarded_to_origin {
    enable_accept_encoding_brotli = false
    enable_accept_encoding_gzip   = false

    cookies_config {
      cookie_behavior = "none"
    }

    headers_config {
      header_behavior = "none"
    }

    query_strings_config {
      query_string_behavior = "none"
    }
  }
}

# The headers nginx's /media/ location sends (docker/nginx/templates/site.inc.template)
# and the site's no-framing and referrer ones: an image is never rendered as
# a page, never framed, never sniffed into HTML.
resource "aws_cloudfront_response_headers_policy" "images" {
  #checkov:skip=CKV_AWS_259:HSTS is max-age two years with includeSubDomains and override, as nginx sends for the site; only preload is off. The preload list takes registrable domains, not dNNNN.cloudfront.net or a media subdomain, and entering the site's domain in it is the domain owner's decision, which the site's own HSTS does not make either.
  name    = "${var.name}-media-images"
  comment = "Uploaded images: nosniff, no framing, a sandboxing CSP, HSTS, immutable caching"

  security_headers_config {
    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }

    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = false
      override                   = true
    }

    content_security_policy {
      content_security_policy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
      override                = true
    }
  }

  # For an object stored without Cache-Control; the API sets the same on
  # every image it stores (backend/src/media/s3.rs).
  custom_headers_config {
    items {
      header   = "Cache-Control"
      value    = "public, max-age=${var.cache_ttl_seconds}, immutable"
      override = false
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV2_AWS_47:Log4j rules protect Java applications; this origin is S3 serving images. web_acl_arn attaches a web ACL when one is wanted.
  #checkov:skip=CKV_AWS_86:Viewer requests are anonymous reads of public images; CloudFront's CloudWatch metrics (requests, bytes, 4xx/5xx rates) cover operations. Legacy standard logging needs a bucket with ACLs enabled, which this stack avoids; v2 log delivery (CloudWatch vended logs) can be added when per-request logs are wanted.
  #checkov:skip=CKV_AWS_310:One bucket in one region: a failover origin needs a replicated bucket elsewhere (see CKV_AWS_144 on the bucket), and the API that writes the images is single-region too.
  #checkov:skip=CKV_AWS_374:A public site read worldwide; price_class, not geography, decides which edges serve it.
  #checkov:skip=CKV_AWS_305:Nothing lives at /: the bucket holds images under their stored names, and without s3:ListBucket CloudFront answers / with 403 rather than a listing.
  #checkov:skip=CKV_AWS_174:With domain_name the viewer policy is TLSv1.2_2021; on the default *.cloudfront.net certificate CloudFront fixes the policy itself (TLSv1), which no setting changes.
  enabled         = true
  is_ipv6_enabled = true
  http_version    = "http2and3"
  comment         = "${var.name} media: uploaded images"
  price_class     = var.price_class
  aliases         = local.custom ? [var.domain_name] : []
  # No web ACL by default: GET and HEAD of images from a private bucket leave
  # WAF's managed rules nothing to protect. web_acl_arn attaches one (scope
  # CLOUDFRONT, in us-east-1), e.g. to rate-limit hotlinking.
  web_acl_id = var.web_acl_arn

  origin {
    origin_id                = local.origin_id
    domain_name              = aws_s3_bucket.this.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.this.id
  }

  default_cache_behavior {
    target_origin_id           = local.origin_id
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = false # PNG, JPEG, GIF and WebP are compressed already
    cache_policy_id            = aws_cloudfront_cache_policy.images.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.images.id
  }

  # A missing image answers 403 (CloudFront may not list the bucket). Cache
  # that briefly only: while `tweets media migrate --to s3` runs, an image
  # can be missing a minute before it exists.
  dynamic "custom_error_response" {
    for_each = [403, 404]

    content {
      error_code            = custom_error_response.value
      error_caching_min_ttl = 10
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = !local.custom
    acm_certificate_arn            = var.certificate_arn
    ssl_support_method             = local.custom ? "sni-only" : null
    minimum_protocol_version       = local.custom ? "TLSv1.2_2021" : "TLSv1"
  }

  tags = merge(var.tags, { Name = "${var.name}-media" })
}

# --- The API's permissions -------------------------------------------------------------
#
# What the S3 media store does (put, read back, delete an image) on the
# objects, and s3:ListBucket on the bucket for `tweets media migrate --to s3`,
# which looks up what is already there: without it S3 answers a missing key
# with 403 instead of 404, which the store cannot tell from a refusal. With
# SSE-KMS, the key use that those need, through S3 only.

data "aws_iam_policy_document" "api" {
  statement {
    sid       = "StoreReadDeleteImages"
    actions   = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.this.arn}/*"]
  }

  statement {
    sid       = "ListImagesForMigration"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.this.arn]
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]

    content {
      sid       = "EncryptDecryptThroughS3"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${data.aws_region.current.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_policy" "api" {
  name_prefix = "${var.name}-media-api-"
  description = "${var.name}: the API stores, reads and deletes images in s3://${aws_s3_bucket.this.id} (MEDIA_STORE=s3)"
  policy      = data.aws_iam_policy_document.api.json

  tags = var.tags
}
