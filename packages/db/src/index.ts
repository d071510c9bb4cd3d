export * from "./client.js";
export * from "./migrate.js";
export * from "./tenants/tenant.repository.pg.js";
