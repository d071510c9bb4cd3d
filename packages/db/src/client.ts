import pg from "pg";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import * as schema from "./schema/index.js";

export type Database = NodePgDatabase<typeof schema>;
export type Pool = pg.Pool;

export interface PoolOptions {
  readonly max?: number;
  readonly applicationName?: string;
  /**
   * Ends a session left idle inside a transaction this long. A node paused
   * (SIGSTOP, a long GC) in the middle of a fenced commit holds a lock that
   * makes "declare dead" wait; this bounds how long.
   */
  readonly idleInTransactionMs?: number;
}

export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? "strata",
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // Our statements are short OLTP ones: JIT compiling one costs more (~20 ms) than running it.
    options: "-c jit=off",
    ...(options.idleInTransactionMs
      ? { idle_in_transaction_session_timeout: options.idleInTransactionMs }
      : {}),
  });
  // An idle client whose backend dies (restart, terminate) must not crash the process;
  // the pool drops it and the next query opens a fresh connection.
  pool.on("error", () => {});
  return pool;
}

export function createDatabase(pool: pg.Pool): Database {
  return drizzle({ client: pool, schema, casing: "snake_case" });
}

/**
 * Runs `work` on one checked-out connection. While checked out, a client
 * whose server goes away between queries (e.g. while a transaction waits)
 * emits 'error' with nobody listening, which would crash the process; the
 * listener here turns that into the next query's failure instead.
 */
export async function withClient<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken = err;
  };
  client.on("error", onError);
  try {
    return await work(client);
  } finally {
    client.off("error", onError);
    client.release(broken);
  }
}

/** BEGIN; `work`; COMMIT — or ROLLBACK and rethrow. */
export function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query("begin");
    try {
      const result = await work(client);
      await client.query("commit");
      return result;
    } catch (err) {
      await client.query("rollback").catch(() => {});
      throw err;
    }
  });
}
