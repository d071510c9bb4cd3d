terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # Remote state: one S3 bucket (versioned, encrypted, private) and one DynamoDB
  # table with a string partition key "LockID" for the lock, created once per
  # account before the first `terraform init` (docs/operations.md, "Deploy from
  # zero"). The state holds generated credentials: restrict the bucket to the
  # people and pipelines that run Terraform. Uncomment and fill in, then run
  # `terraform init -migrate-state`.
  #
  # backend "s3" {
  #   bucket         = "acme-terraform-state"
  #   key            = "strata/example/terraform.tfstate"
  #   region         = "eu-west-1"
  #   encrypt        = true
  #   dynamodb_table = "terraform-locks"
  # }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ Project = "strata", Deployment = var.name }, var.tags)
  }
}
