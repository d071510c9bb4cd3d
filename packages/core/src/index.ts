export * from "./common/brand.js";
export * from "./common/clock.js";
export * from "./common/names.js";
export * from "./errors.js";
export * from "./tenants/index.js";
export * from "./validation.js";
