terraform {
  required_version = ">= 1.9, < 2.0"

  required_providers {
    docker = {
      source = "kreuzwerker/docker"
      # 3.6 is the first release with docker_container's cpus argument, which
      # the modules use for CPU limits. Commit .terraform.lock.hcl after
      # `terraform init` to pin the exact version.
      version = "~> 3.6"
    }
  }
}
