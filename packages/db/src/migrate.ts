import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import type pg from "pg";
import { withClient } from "./client.js";

/** Committed drizzle-kit migrations, shipped beside dist/. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../drizzle", import.meta.url));

// Arbitrary but fixed: every node takes the same lock, so only one migrates at a time.
const MIGRATION_LOCK = 0x5374_7261_7461n; // "Strata"

/**
 * Applies pending migrations under a session advisory lock, so nodes that
 * start together migrate once; the others wait, then find nothing to do.
 * (Advisory locks are fine here: one connection, held for the whole job.)
 * `migrationsFolder` is for tests that upgrade from an older schema.
 */
export async function runMigrations(
  pool: pg.Pool,
  migrationsFolder = MIGRATIONS_FOLDER,
): Promise<void> {
  await withClient(pool, async (client) => {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK.toString()]);
    try {
      await migrate(drizzle({ client, casing: "snake_case" }), { migrationsFolder });
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK.toString()]);
    }
  });
}

let journalSize: number | undefined;

/** How many migrations this build ships. */
export function shippedMigrations(): number {
  if (journalSize === undefined) {
    const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as {
      entries: unknown[];
    };
    journalSize = journal.entries.length;
  }
  return journalSize;
}

/** How many shipped migrations the database has not applied yet (0 = up to date). */
export async function pendingMigrations(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ present: boolean }>(
    "select to_regclass('drizzle.__drizzle_migrations') is not null as present",
  );
  if (!rows[0]?.present) return shippedMigrations();
  const applied = await pool.query<{ n: number }>(
    "select count(*)::int as n from drizzle.__drizzle_migrations",
  );
  return Math.max(0, shippedMigrations() - (applied.rows[0]?.n ?? 0));
}
