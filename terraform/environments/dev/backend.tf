# State stays next to this file (terraform.tfstate, with terraform.tfstate.backup
# written before each change). See docs/terraform.md for backing it up; move to
# a shared backend (S3, ...) before several people apply.
terraform {
  backend "local" {
    path = "terraform.tfstate"
  }
}
