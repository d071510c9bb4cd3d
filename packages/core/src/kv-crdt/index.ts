export * from "./bucket-mirror.js";
export * from "./crdt-bucket.js";
export * from "./crdt-kv.js";
export * from "./crdt-kv-service.js";
export * from "./crdt-kv-watch.js";
export * from "./list-keys.js";
