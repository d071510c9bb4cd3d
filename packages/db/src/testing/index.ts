import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPool } from "../client.js";
import { runMigrations } from "../migrate.js";

/** The server that test databases are created on: DATABASE_URL, else this machine's PostgreSQL. */
export function testServerUrl(): string {
  return (
    process.env.STRATA_TEST_SERVER_URL ??
    process.env.DATABASE_URL ??
    "postgres://postgres@127.0.0.1:5432/postgres"
  );
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  /** Drops the database, disconnecting whoever is still on it. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, migrated database for one test file, so files run in
 * parallel without seeing each other's rows.
 */
export async function createTestDatabase(
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const name = `strata_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${redact(serverUrl)} (${(err as Error).message}). ` +
        `Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ` +
        `— or set DATABASE_URL to a server where the tests may create databases.`,
    );
  }
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  if (options.migrate !== false) {
    const pool = createPool(url, { max: 1 });
    try {
      await runMigrations(pool);
    } finally {
      await pool.end();
    }
  }
  return {
    url,
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
