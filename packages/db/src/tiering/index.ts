export * from "./cold-segments.js";
export * from "./orphan-sweep.pg.js";
export * from "./segment-record.pg.js";
export * from "./stream-retention.pg.js";
export * from "./stream-tierer.pg.js";
export * from "./tier-stats.pg.js";
export * from "./doc-snapshot-tier.pg.js";
export * from "./tiered-snapshots.js";
