export * from "./api-key.js";
export * from "./key-authenticator.js";
export * from "./scopes.js";
export * from "./tenant-admin.js";
export * from "./tenant-store.js";
export * from "./tenant.js";
export * from "./tenant.schemas.js";
export * from "./access-token.js";
