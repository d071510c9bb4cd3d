export * from "./object-store.js";
export * from "./retention-plan.js";
export * from "./segment-cache.js";
export * from "./segment-format.js";
export * from "./segment-keys.js";
export * from "./tiering.errors.js";
export * from "./tiering-policy.js";
