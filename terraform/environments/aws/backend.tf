# State in S3, locked with a lock file next to it (no DynamoDB table). The
# bucket, key and region come from a file given at init:
#   terraform init -backend-config=backend.hcl   (copy backend.hcl.example)
terraform {
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
