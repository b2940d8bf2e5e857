output "bucket_name" {
  description = "Name of the bucket: the API's S3_BUCKET."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_region" {
  description = "Region of the bucket: the API's S3_REGION."
  value       = data.aws_region.current.region
}

output "distribution_id" {
  description = "ID of the CloudFront distribution (aws cloudfront create-invalidation --distribution-id ...; images never change, so only for an image removed by moderation that must leave the caches at once)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution: the only principal the bucket policy lets read."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "The distribution's own host name (dNNNN.cloudfront.net): the target of domain_name's CNAME or alias record."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_hosted_zone_id" {
  description = "Route 53 zone ID of the distribution, for an alias record."
  value       = aws_cloudfront_distribution.this.hosted_zone_id
}

output "media_url" {
  description = "The API's MEDIA_URL: https://DOMAIN/ with domain_name as DOMAIN, or else distribution_domain_name, and the trailing slash (object keys are the stored names, such as 3f/3f9c...e1.png)."
  value       = "https://${local.custom ? var.domain_name : aws_cloudfront_distribution.this.domain_name}/"
}

output "api_policy_arn" {
  description = "ARN of the IAM policy for the API's task role: s3:PutObject, s3:GetObject and s3:DeleteObject on the images, s3:ListBucket on the bucket (tweets media migrate --to s3), and the KMS key use with SSE-KMS."
  value       = aws_iam_policy.api.arn
}
