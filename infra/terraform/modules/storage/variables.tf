variable "name" {
  type        = string
  description = "Prefix of every resource name."
}

variable "bucket_name" {
  type        = string
  description = "Globally unique bucket name; null derives <name>-objects-<account id>."
  default     = null
}

variable "task_role_arn" {
  type        = string
  description = "IAM role of the API and worker tasks: the only principal allowed to read, write and delete objects."
}

variable "admin_principal_arns" {
  type        = list(string)
  description = "Further principals (break-glass operator roles) allowed object access, e.g. for a manual restore of a version."
  default     = []
}

variable "infrequent_access_after_days" {
  type        = number
  description = "Days after which objects move to S3 Standard-IA (30 or more; segments are written once and read rarely once tiered)."
  default     = 30

  validation {
    condition     = var.infrequent_access_after_days >= 30
    error_message = "S3 moves objects to Standard-IA after 30 days at the earliest."
  }
}

variable "noncurrent_version_days" {
  type        = number
  description = "Days a deleted or overwritten object version is kept (recovery window for the orphan sweep and retention deletes)."
  default     = 30
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform destroy delete a non-empty bucket (only for throwaway environments; the principal running Terraform must then be in admin_principal_arns, since the bucket policy denies object deletes to everyone else)."
  default     = false
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of the module."
  default     = {}
}
