variable "name" {
  type        = string
  description = "Prefix of every secret name (<name>/operator-token, …)."
}

variable "database" {
  type = object({
    address  = string
    port     = number
    name     = string
    username = string
  })
  description = "Where the primary is, to compose DATABASE_URL (the database module's outputs)."
}

variable "database_ssl_query" {
  type        = string
  description = "TLS part of DATABASE_URL. no-verify encrypts (rds.force_ssl requires TLS) without checking the server certificate; use sslmode=verify-full once the image trusts the RDS CA bundle (NODE_EXTRA_CA_CERTS)."
  default     = "sslmode=no-verify"
}

variable "redis" {
  type = object({
    address = string
    port    = number
  })
  description = "Where the Redis primary is, to compose REDIS_URL (the cache module's outputs)."
}

variable "recovery_window_days" {
  type        = number
  description = "Days a deleted secret can still be restored (0 deletes at once; only for throwaway environments)."
  default     = 7
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource of the module."
  default     = {}
}
