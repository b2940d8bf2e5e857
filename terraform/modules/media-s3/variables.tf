variable "name" {
  description = "Name prefix of every resource (lowercase letters, digits and hyphens, 2-20 characters, starting with a letter)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name))
    error_message = "name must be 2-20 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen (var.name)."
  }
}

variable "bucket_name" {
  description = "Name of the bucket (S3_BUCKET): 3-63 lowercase letters, digits and hyphens, no dots (they break virtual-hosted HTTPS). null lets S3 make a unique one from NAME-media-."
  type        = string
  default     = null

  validation {
    condition = var.bucket_name == null || (
      can(regex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", var.bucket_name)) &&
      !can(regex("^(xn--|sthree-|amzn-s3-demo-)", var.bucket_name)) &&
      !can(regex("(-s3alias|--ol-s3|--x-s3|--table-s3)$", var.bucket_name))
    )
    error_message = "bucket_name must be null or 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit, without dots, not starting with xn--, sthree- or amzn-s3-demo- and not ending with -s3alias, --ol-s3, --x-s3 or --table-s3 (var.bucket_name)."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete the bucket with every image and version in it. Leave false except to tear the environment down."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for SSE-KMS (with an S3 Bucket Key); null encrypts with SSE-S3. A key's policy must also let the distribution (cloudfront.amazonaws.com, AWS:SourceArn) decrypt: see the README."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or the ARN of a KMS key (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias (var.kms_key_arn)."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days an overwritten or deleted image stays restorable as a noncurrent version before S3 expires it."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1 && var.noncurrent_version_expiration_days <= 36500 && floor(var.noncurrent_version_expiration_days) == var.noncurrent_version_expiration_days
    error_message = "noncurrent_version_expiration_days must be a whole number of days from 1 to 36500 (var.noncurrent_version_expiration_days)."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which S3 discards the parts of a multipart upload that was never completed (uploads of images take seconds)."
  type        = number
  default     = 1

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1 && var.abort_incomplete_multipart_upload_days <= 365 && floor(var.abort_incomplete_multipart_upload_days) == var.abort_incomplete_multipart_upload_days
    error_message = "abort_incomplete_multipart_upload_days must be a whole number of days from 1 to 365 (var.abort_incomplete_multipart_upload_days)."
  }
}

variable "access_logs" {
  description = "S3 server access logging of the bucket into an existing bucket (which must let logging.s3.amazonaws.com write under prefix); null logs nothing."
  type = object({
    bucket = string
    prefix = optional(string, "media/")
  })
  default = null

  validation {
    condition = var.access_logs == null || try(
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_logs.bucket)) &&
      !strcontains(var.access_logs.bucket, "..") &&
      can(regex("^([A-Za-z0-9!_.*'()-]+/)*$", var.access_logs.prefix)),
      false
    )
    error_message = "access_logs must be null or name a bucket (3-63 lowercase letters, digits, dots and hyphens) and a prefix that is empty or ends with / (var.access_logs)."
  }
}

variable "price_class" {
  description = "CloudFront price class: PriceClass_100 (North America, Europe, Israel: the cheapest), PriceClass_200 (adds most of Asia, the Middle East and Africa) or PriceClass_All."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All (var.price_class)."
  }
}

variable "domain_name" {
  description = "Custom host name of the distribution (for example media.tweets.example.com), with certificate_arn; null serves from its *.cloudfront.net name. Point a CNAME or alias record at the distribution_domain_name output."
  type        = string
  default     = null

  validation {
    condition     = var.domain_name == null || can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be null or a lowercase host name such as media.tweets.example.com (var.domain_name)."
  }
}

variable "certificate_arn" {
  description = "ARN of an issued ACM certificate covering domain_name, in us-east-1 (CloudFront's region for certificates); set exactly when domain_name is."
  type        = string
  default     = null

  validation {
    condition     = (var.certificate_arn == null) == (var.domain_name == null)
    error_message = "certificate_arn and domain_name go together: set both for a custom domain, or neither (var.certificate_arn)."
  }

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]{36}$", var.certificate_arn))
    error_message = "certificate_arn must be null or an ACM certificate ARN in us-east-1 (arn:aws:acm:us-east-1:ACCOUNT:certificate/ID), the only region CloudFront takes certificates from (var.certificate_arn)."
  }
}

variable "cache_ttl_seconds" {
  description = "Longest time CloudFront keeps an image, and the browsers' max-age for an object without its own Cache-Control (the API sets a year on each): stored names are random and never reused, so an image never changes under its URL and a year is safe."
  type        = number
  default     = 31536000

  validation {
    condition     = var.cache_ttl_seconds >= 1 && var.cache_ttl_seconds <= 31536000 && floor(var.cache_ttl_seconds) == var.cache_ttl_seconds
    error_message = "cache_ttl_seconds must be a whole number of seconds from 1 to 31536000 (a year) (var.cache_ttl_seconds)."
  }
}

variable "web_acl_arn" {
  description = "ARN of a WAFv2 web ACL of scope CLOUDFRONT (created in us-east-1) to put in front of the distribution, for example to rate-limit hotlinking; null attaches none."
  type        = string
  default     = null

  validation {
    condition     = var.web_acl_arn == null || can(regex("^arn:aws[a-z-]*:wafv2:us-east-1:[0-9]{12}:global/webacl/[A-Za-z0-9_-]+/[0-9a-f-]{36}$", var.web_acl_arn))
    error_message = "web_acl_arn must be null or the ARN of a CLOUDFRONT-scope WAFv2 web ACL (arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/NAME/ID) (var.web_acl_arn)."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")])
    error_message = "tags keys must be 1-128 characters and not start with aws:, values at most 256 characters (var.tags)."
  }
}
