/**
 * The part of core that clients and browser bundles may import
 * (`@strata/core/public`): constants and types only. The package's index also
 * loads the Automerge wasm (documents), which a browser bundle neither needs
 * nor can pack.
 */
export { SCOPES, type Scope } from "./tenants/scopes.js";
export { TENANT_STATUSES, type TenantStatus, type TenantId, type KeyId } from "./tenants/tenant.js";
