export * from "./doc-replica.js";
export * from "./doc-replicas.js";
export * from "./heads-codec.js";
export * from "./peer-session.js";
export * from "./repo-messages.js";
export * from "./sync-context.js";
