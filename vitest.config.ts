import { defineConfig } from "vitest/config";

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
          include: ["packages/*/src/**/*.spec.ts", "apps/api/src/**/*.spec.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
          globalSetup: ["./tooling/vitest/postgres-setup.ts"],
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
