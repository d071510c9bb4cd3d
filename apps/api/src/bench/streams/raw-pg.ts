import type { StreamId } from "@strata/core";
import {
  COPY_MESSAGES_SQL,
  copyFramed,
  encodeMessageRows,
  type MessageCopyRow,
  type Pool,
} from "@strata/db";
import type pg from "pg";
import { closedLoop, type LoadResult, type LoadWindow } from "../lib/load.js";
import { payload, SeqCounters } from "./setup.js";

export const ROWS_PER_STATEMENT = 1000;

export interface RawCase extends LoadWindow {
  readonly pool: Pool;
  readonly streamIds: readonly number[];
  readonly size: number;
  /** Statements in flight, one per connection. */
  readonly connections: number;
}

/**
 * Runs a closed loop with one statement in flight per connection: each
 * operation gets an idle connection of its own and returns it when done.
 */
async function perConnection(
  c: RawCase,
  statement: (client: pg.PoolClient) => Promise<unknown>,
): Promise<LoadResult> {
  const clients = await Promise.all(Array.from({ length: c.connections }, () => c.pool.connect()));
  const idle = [...clients];
  try {
    return await closedLoop({
      ...c,
      inFlight: c.connections,
      op: (done) => {
        const client = idle.pop()!;
        statement(client).then(
          () => {
            idle.push(client);
            done(null, ROWS_PER_STATEMENT, ROWS_PER_STATEMENT * c.size);
          },
          (err: unknown) => {
            idle.push(client);
            done(err);
          },
        );
      },
    });
  } finally {
    for (const client of clients) client.release();
  }
}

/**
 * Multi-row `INSERT … VALUES` of 1,000 rows per statement (one commit each),
 * Buffer parameters sent in binary-safe form, a named prepared statement.
 */
export async function rawInsert(c: RawCase): Promise<LoadResult> {
  const value = payload(c.size);
  const tuples: string[] = [];
  for (let i = 0; i < ROWS_PER_STATEMENT; i++) {
    const n = 2 + i * 3;
    tuples.push(
      `($${n}::bigint,$${n + 1}::bigint,$1::timestamptz,null,$${n + 2}::bytea,null,${c.size},null)`,
    );
  }
  const text = `insert into stream_messages (stream_id, seq, ts, headers, value, value_ref, value_size, msg_id) values ${tuples.join(",")}`;
  const name = `bench_insert_${c.size}`;
  const seqs = new SeqCounters(c.streamIds);
  return perConnection(c, (client) => {
    const params: unknown[] = [new Date()];
    for (let i = 0; i < ROWS_PER_STATEMENT; i++) params.push(...seqs.take(), value);
    return client.query({ name, text, values: params });
  });
}

/** `COPY stream_messages FROM STDIN (FORMAT binary)` of 1,000 rows per statement. */
export async function rawCopy(c: RawCase): Promise<LoadResult> {
  const value = payload(c.size);
  const seqs = new SeqCounters(c.streamIds);
  return perConnection(c, (client) => {
    const ts = new Date();
    const rows: MessageCopyRow[] = [];
    for (let i = 0; i < ROWS_PER_STATEMENT; i++) {
      const [streamId, seq] = seqs.take();
      rows.push({ streamId: streamId as StreamId, seq, ts, value, headers: null, msgId: null });
    }
    return copyFramed(client, COPY_MESSAGES_SQL, encodeMessageRows(rows, true));
  });
}
