export { StrataAdminClient, type StrataAdminClientOptions } from "./admin-client.js";
export { type FieldError, type Problem, StrataConnectionError, StrataError } from "./errors.js";
export { type FetchLike } from "./http.js";
export { StrataClient, type StrataClientOptions } from "./strata-client.js";
export * from "./types.js";
export {
  type KeyId,
  SCOPES,
  type Scope,
  TENANT_STATUSES,
  type TenantId,
  type TenantStatus,
} from "@strata/core/public";
