import {
  CommitFailed,
  type CommitBatch,
  type CommitOutcome,
  type LoadedStream,
  type Message,
  type MessageLog,
  type PendingRow,
  type Removal,
  type StreamId,
  type TrimResult,
} from "@strata/core";
import type pg from "pg";
import { fencedTransaction } from "../fenced-tx.js";
import { applyTrim, removeWhere } from "./stream-removal.pg.js";
import { chunkRows, joinChunks, LARGE_VALUE_BYTES, splitValue } from "./large-values.js";

type Client = pg.PoolClient;

// node-postgres caps a statement at 65,535 parameters; 7 per row.
const ROWS_PER_INSERT = 5000;

/**
 * Stream messages in PostgreSQL. Appends are multi-row INSERTs with binary
 * parameters in one fenced transaction per group-commit batch; nothing else
 * is written on the hot path (counters are derived on load).
 */
export class MessageLogPg implements MessageLog {
  constructor(private readonly pool: pg.Pool) {}

  async load(streamId: StreamId, dedupWindowSeconds: number): Promise<LoadedStream> {
    const [agg, ids] = await Promise.all([
      this.pool.query<{
        n: string;
        b: string;
        lo: string | null;
        hi: string | null;
        ts: Date | null;
        floor: string;
      }>(
        `select count(*) as n, coalesce(sum(m.value_size), 0) as b, min(m.seq) as lo, max(m.seq) as hi,
                max(m.ts) as ts, (select last_seq from streams where id = $1) as floor
           from stream_messages m where m.stream_id = $1`,
        [streamId],
      ),
      dedupWindowSeconds > 0
        ? this.pool.query<{ msg_id: string; seq: string; ts: Date }>(
            `select msg_id, seq, ts from stream_messages
              where stream_id = $1 and msg_id is not null and ts > now() - make_interval(secs => $2)
              order by seq`,
            [streamId, dedupWindowSeconds],
          )
        : Promise.resolve({ rows: [] as { msg_id: string; seq: string; ts: Date }[] }),
    ]);
    const r = agg.rows[0]!;
    // Deleting the newest messages must not let their seqs be reused: streams.last_seq remembers them.
    const lastSeq = Math.max(Number(r.hi ?? 0), Number(r.floor ?? 0));
    return {
      firstSeq: r.lo !== null ? Number(r.lo) : lastSeq + 1,
      lastSeq,
      messages: Number(r.n),
      bytes: Number(r.b),
      lastTs: r.ts,
      recentMsgIds: ids.rows.map((row) => ({
        msgId: row.msg_id,
        seq: Number(row.seq),
        ts: row.ts,
      })),
    };
  }

  async commit(batch: CommitBatch, predecessor: Promise<unknown>): Promise<CommitOutcome> {
    return this.fencedTx(batch.nodeId, batch.replicated, async (client) => {
      const written = new Set<number>();
      for (let i = 0; i < batch.rows.length; i += ROWS_PER_INSERT) {
        for (const id of await insertRows(client, batch.rows.slice(i, i + ROWS_PER_INSERT)))
          written.add(id);
      }
      const missing = batch.streams.map((s) => s.streamId).filter((id) => !written.has(id));
      const trims: TrimResult[] = [];
      // Ascending stream id: concurrent batches lock in the same order.
      for (const trim of [...batch.trims].sort((a, b) => a.streamId - b.streamId)) {
        if (written.has(trim.streamId)) trims.push(await applyTrim(client, trim));
      }
      try {
        await predecessor;
      } catch {
        throw new CommitFailed("An earlier batch failed, so this one was not committed; retry.");
      }
      return { trims, missing };
    });
  }

  async read(
    streamId: StreamId,
    fromSeq: number,
    limit: number,
    maxBytes: number,
  ): Promise<Message[]> {
    // The byte budget is applied in SQL (sizes come from the index-ordered scan), so a catch-up
    // page never ships values it will not use. The first message always comes, however large.
    const { rows } = await this.pool.query<MessageRow>(
      `select seq, ts, headers, value, value_ref, value_size, msg_id from (
         select lim.*, sum(value_size) over (order by seq) - value_size as before
           from (select * from stream_messages where stream_id = $1 and seq >= $2 order by seq limit $3) lim
       ) page where before < $4 order by seq`,
      [streamId, fromSeq, limit, maxBytes],
    );
    const out: Message[] = [];
    for (const row of rows) out.push(await this.toMessage(streamId, row));
    return out;
  }

  async readOne(streamId: StreamId, seq: number): Promise<Message | null> {
    const { rows } = await this.pool.query<MessageRow>(
      `select seq, ts, headers, value, value_ref, value_size, msg_id from stream_messages
        where stream_id = $1 and seq = $2`,
      [streamId, seq],
    );
    return rows[0] ? this.toMessage(streamId, rows[0]) : null;
  }

  async deleteOne(nodeId: string, streamId: StreamId, seq: number): Promise<Removal | null> {
    return this.fencedTx(nodeId, false, async (client) => {
      const r = await removeWhere(client, streamId, "seq = $2", [seq]);
      return r.messages === 0 ? null : r;
    });
  }

  async deleteUpTo(nodeId: string, streamId: StreamId, upToSeq: number): Promise<Removal> {
    return this.fencedTx(nodeId, false, (client) =>
      removeWhere(client, streamId, "seq <= $2", [upToSeq]),
    );
  }

  async deleteOlderThan(nodeId: string, streamId: StreamId, before: Date): Promise<Removal> {
    return this.fencedTx(nodeId, false, (client) =>
      removeWhere(client, streamId, "ts < $2", [before]),
    );
  }

  private async toMessage(streamId: StreamId, row: MessageRow): Promise<Message> {
    let value = row.value;
    if (value === null && row.value_ref?.startsWith("chunks:")) {
      const { rows } = await this.pool.query<{ data: Buffer }>(
        "select data from stream_chunks where stream_id = $1 and seq = $2 order by chunk",
        [streamId, row.seq],
      );
      value = joinChunks(
        rows.map((r) => r.data),
        row.value_size,
      );
    }
    return {
      seq: Number(row.seq),
      ts: row.ts,
      headers: row.headers,
      value: value ?? Buffer.alloc(0),
      msgId: row.msg_id,
    };
  }

  /** BEGIN; prove the node lease (DESIGN §7); run `work`; COMMIT — or roll back and throw. */
  private fencedTx<T>(
    nodeId: string,
    replicated: boolean,
    work: (c: Client) => Promise<T>,
  ): Promise<T> {
    return fencedTransaction(this.pool, nodeId, work, { replicated });
  }
}

interface MessageRow {
  seq: string;
  ts: Date;
  headers: Record<string, string> | null;
  value: Buffer | null;
  value_ref: string | null;
  value_size: number;
  msg_id: string | null;
}

/**
 * Inserts the rows of streams that still exist (a stream deleted meanwhile
 * must not fail the whole batch) and returns the ids of the streams written.
 */
async function insertRows(client: Client, rows: readonly PendingRow[]): Promise<number[]> {
  const params: unknown[] = [];
  const tuples: string[] = [];
  const chunks: { streamId: StreamId; seq: number; parts: Buffer[] }[] = [];
  for (const r of rows) {
    const n = params.length;
    const large = r.value.byteLength > LARGE_VALUE_BYTES;
    const value = large ? null : toBuffer(r.value);
    let ref: string | null = null;
    if (large) {
      const parts = splitValue(r.value);
      chunks.push({ streamId: r.streamId, seq: r.seq, parts });
      ref = `chunks:${parts.length}`;
    }
    params.push(
      r.streamId,
      r.seq,
      r.ts,
      r.headers ? JSON.stringify(r.headers) : null,
      value,
      ref,
      r.value.byteLength,
      r.msgId,
    );
    tuples.push(
      n === 0
        ? `($1::bigint,$2::bigint,$3::timestamptz,$4::jsonb,$5::bytea,$6::text,$7::int,$8::text)`
        : `($${n + 1},$${n + 2},$${n + 3},$${n + 4},$${n + 5},$${n + 6},$${n + 7},$${n + 8})`,
    );
  }
  // The key-share lock the foreign key takes makes a concurrent DELETE of the stream wait for us.
  const { rows: written } = await client.query<{ stream_id: string }>(
    `with v (stream_id, seq, ts, headers, value, value_ref, value_size, msg_id) as (values ${tuples.join(",")}),
          ins as (insert into stream_messages (stream_id, seq, ts, headers, value, value_ref, value_size, msg_id)
                  select v.* from v where exists (select 1 from streams s where s.id = v.stream_id)
                  returning stream_id)
     select distinct stream_id from ins`,
    params,
  );
  const ids = written.map((r) => Number(r.stream_id));
  for (const c of chunks)
    if (ids.includes(c.streamId)) await chunkRows(client, c.streamId, c.seq, c.parts);
  return ids;
}

function toBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
