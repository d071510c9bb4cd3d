import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The admin's `@/…` imports (its tsconfig paths), for its specs.
const adminSrc = fileURLToPath(new URL("./apps/admin/src/", import.meta.url));

// One run for the whole monorepo: unit specs beside the code, integration tests
// (real PostgreSQL, real processes, a real browser) in each app's test/ folder.
export default defineConfig({
  test: {
    reporters: ["default", "./tooling/vitest/summary-reporter.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "packages/*/src/**/*.spec.ts",
            "apps/api/src/**/*.spec.ts",
            "apps/admin/src/**/*.spec.ts",
          ],
        },
        resolve: { alias: [{ find: /^@\/(.*)$/, replacement: `${adminSrc}$1` }] },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: [
            "packages/*/test/**/*.test.ts",
            "apps/*/test/**/*.test.ts",
            "infra/test/**/*.test.ts",
          ],
          globalSetup: ["./tooling/vitest/postgres-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
