import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * Finds the PostgreSQL server the integration tests create their databases
 * on: DATABASE_URL, else this machine's server on 127.0.0.1:5432, else an
 * embedded one started for this run. Test files read STRATA_TEST_SERVER_URL.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const candidates = process.env.DATABASE_URL
    ? [process.env.DATABASE_URL]
    : ["postgres://postgres@127.0.0.1:5432/postgres"];
  for (const url of candidates) {
    if (await reachable(url)) {
      process.env.STRATA_TEST_SERVER_URL = url;
      return async () => {};
    }
  }
  if (process.env.DATABASE_URL) {
    throw new Error(
      `DATABASE_URL=${process.env.DATABASE_URL} is not reachable; fix it or unset it.`,
    );
  }
  // Nothing local: run an embedded server (same binaries as `npm start`).
  const { startEmbeddedPostgres } = await import("@strata/db/embedded");
  const dir = mkdtempSync(join(tmpdir(), "strata-test-pg-"));
  const server = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), database: "postgres" });
  process.env.STRATA_TEST_SERVER_URL = server.url;
  console.warn(
    `PostgreSQL on 127.0.0.1:5432 is not running; using an embedded server for this run. ` +
      `(Start the local one with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)`,
  );
  return async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
