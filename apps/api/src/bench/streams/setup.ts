import { createPool, type Pool } from "@strata/db";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";

export const STREAMS = 1000;
export const SIZES = [200, 1024] as const;

export interface BenchDatabase {
  readonly db: TestDatabase;
  readonly pool: Pool;
  close(): Promise<void>;
}

/** A fresh, migrated database for this run (dropped by `close`). */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const db = await createTestDatabase();
  const pool = createPool(db.url, { max: 8, applicationName: "strata-bench" });
  return {
    db,
    pool,
    close: async () => {
      await pool.end().catch(() => undefined);
      await db.drop();
    },
  };
}

/** A tenant with `n` streams inserted directly (the raw runners need rows for the foreign key). */
export async function seedRawStreams(pool: Pool, n: number): Promise<number[]> {
  const { rows: t } = await pool.query<{ id: string }>(
    `insert into tenants (name) values ('raw-pg-bench') returning id`,
  );
  const { rows } = await pool.query<{ id: string }>(
    `insert into streams (tenant_id, name)
     select $1, 'raw.' || g from generate_series(1, $2) g returning id`,
    [t[0]!.id, n],
  );
  return rows.map((r) => Number(r.id));
}

/** Empties the message table and checkpoints, so each case starts from the same state. */
export async function resetMessages(pool: Pool): Promise<void> {
  await pool.query("truncate stream_messages, stream_chunks");
  await pool.query("checkpoint");
}

/**
 * Lets the database catch up with the case before: a checkpoint, then until
 * no autovacuum worker runs (at most 30 s). Otherwise a case measures the
 * flush and vacuum of the millions of rows the case before wrote.
 */
export async function settleDatabase(pool: Pool): Promise<void> {
  await pool.query("checkpoint");
  for (const until = Date.now() + 30_000; Date.now() < until;) {
    const { rows } = await pool.query<{ n: number }>(
      "select count(*)::int as n from pg_stat_activity where backend_type = 'autovacuum worker' and datname = current_database()",
    );
    if (rows[0]!.n === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A payload of `size` bytes that does not compress to nothing. */
export function payload(size: number, seed = 1): Buffer {
  const b = Buffer.alloc(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = 32 + (x % 95);
  }
  return b;
}

/** Per-stream sequence counters for runners that assign seqs themselves. */
export class SeqCounters {
  private readonly next = new Map<number, number>();
  private cursor = 0;
  constructor(private readonly ids: readonly number[]) {}

  /** The next (stream, seq) pair, round-robin over the streams. */
  take(): [number, number] {
    const id = this.ids[this.cursor++ % this.ids.length]!;
    const seq = (this.next.get(id) ?? 0) + 1;
    this.next.set(id, seq);
    return [id, seq];
  }

  reset(): void {
    this.next.clear();
    this.cursor = 0;
  }
}
