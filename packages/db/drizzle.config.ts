import { defineConfig } from "drizzle-kit";

// Reads the built schema (dist) so drizzle-kit needs no TypeScript loader for NodeNext `.js` imports.
export default defineConfig({
  dialect: "postgresql",
  schema: "./dist/schema/index.js",
  out: "./drizzle",
  casing: "snake_case",
});
