export * from "./cluster/tables.js";
export * from "./docs/tables.js";
export * from "./kv/tables.js";
export * from "./ops/tables.js";
export * from "./streams/tables.js";
export * from "./tenants/tables.js";
