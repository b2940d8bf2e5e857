# TFLint for every module and environment under terraform/ (CI's `terraform`
# job runs `tflint --init`, then `tflint --chdir=DIR` in each directory with
# TFLINT_CONFIG_FILE pointing here). Plugins download from GitHub: CI only.
tflint {
  required_version = ">= 0.50"
}

config {
  # Lint the local modules an environment calls as part of it, too.
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

plugin "aws" {
  enabled = true
  version = "0.46.0"
  source  = "github.com/terraform-linters/tflint-ruleset-aws"
}
