// `npm run db:migrate`: applies the committed migrations to DATABASE_URL and exits.
import { createPool } from "./client.js";
import { pendingMigrations, runMigrations } from "./migrate.js";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error(
    "DATABASE_URL is not set: give the database to migrate, e.g. postgres://postgres@127.0.0.1:5432/strata",
  );
  process.exit(1);
}
const pool = createPool(url, { max: 1, applicationName: "strata-migrate" });
try {
  const before = await pendingMigrations(pool);
  await runMigrations(pool);
  console.log(`applied ${before} migration(s); database is up to date`);
} catch (err) {
  console.error(`migration failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
