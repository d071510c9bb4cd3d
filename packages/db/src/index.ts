export * from "./client.js";
export * from "./cluster/node-registry.pg.js";
export * from "./migrate.js";
export * from "./streams/consumer-store.pg.js";
export * from "./streams/message-log.pg.js";
export * from "./streams/stream-catalog.pg.js";
export * from "./tenants/tenant.repository.pg.js";
export * from "./cluster/placement.pg.js";
