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
import { type ColdSegments } from "../tiering/cold-segments.js";
import {
  applySegmentCut,
  dropSegments,
  lockStreamRow,
  lowestSeq,
  planSegmentCut,
} from "./cold-removal.pg.js";
import { applyTrim, removeWhere } from "./stream-removal.pg.js";
import { chunkRows, LARGE_VALUE_BYTES, splitValue } from "./large-values.js";
import { readOneTiered, readTiered } from "./tiered-read.pg.js";

type Client = pg.PoolClient;

// node-postgres caps a statement at 65,535 parameters; 7 per row.
const ROWS_PER_INSERT = 5000;

/**
 * Stream messages in PostgreSQL. Appends are multi-row INSERTs with binary
 * parameters in one fenced transaction per group-commit batch; nothing else
 * is written on the hot path (counters are derived on load).
 */
export class MessageLogPg implements MessageLog {
  /** `cold` reads the tiered segments (the object store); without it only the hot tier is readable. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly cold?: ColdSegments,
  ) {}

  async load(streamId: StreamId, dedupWindowSeconds: number): Promise<LoadedStream> {
    const [agg, ids] = await Promise.all([
      this.pool.query<{
        n: string;
        b: string;
        lo: string | null;
        hi: string | null;
        ts: Date | null;
        floor: string;
        cn: string;
        cb: string;
        clo: string | null;
        chi: string | null;
        cts: Date | null;
      }>(
        `select count(*) as n, coalesce(sum(m.value_size), 0) as b, min(m.seq) as lo, max(m.seq) as hi,
                max(m.ts) as ts, (select last_seq from streams where id = $1) as floor,
                (select coalesce(sum(messages), 0) from stream_segments where stream_id = $1) as cn,
                (select coalesce(sum(value_bytes), 0) from stream_segments where stream_id = $1) as cb,
                (select min(first_seq) from stream_segments where stream_id = $1) as clo,
                (select max(last_seq) from stream_segments where stream_id = $1) as chi,
                (select max(last_ts) from stream_segments where stream_id = $1) as cts
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
    const lastSeq = Math.max(Number(r.hi ?? 0), Number(r.floor ?? 0), Number(r.chi ?? 0));
    // The cold tier (segments) holds the oldest messages.
    const lo = r.clo ?? r.lo;
    return {
      firstSeq: lo !== null ? Number(lo) : lastSeq + 1,
      lastSeq,
      messages: Number(r.n) + Number(r.cn),
      bytes: Number(r.b) + Number(r.cb),
      lastTs: r.ts ?? r.cts,
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

  read(streamId: StreamId, fromSeq: number, limit: number, maxBytes: number): Promise<Message[]> {
    return readTiered(this.pool, this.cold, streamId, fromSeq, limit, maxBytes);
  }

  readOne(streamId: StreamId, seq: number): Promise<Message | null> {
    return readOneTiered(this.pool, this.cold, streamId, seq);
  }

  async deleteOne(nodeId: string, streamId: StreamId, seq: number): Promise<Removal | null> {
    const cut = await planSegmentCut(this.pool, this.cold, streamId, seq, false);
    return this.fencedTx(nodeId, false, async (client) => {
      await lockStreamRow(client, streamId);
      const c = cut ? await applySegmentCut(client, streamId, cut, false) : null;
      if (c && c.messages > 0)
        return { ...c, firstSeq: await lowestSeq(client, streamId, seq + 1) };
      const r = await removeWhere(client, streamId, "seq = $2", [seq]);
      return r.messages === 0 ? null : r;
    });
  }

  async deleteUpTo(nodeId: string, streamId: StreamId, upToSeq: number): Promise<Removal> {
    const cut = await planSegmentCut(this.pool, this.cold, streamId, upToSeq, true);
    return this.fencedTx(nodeId, false, async (client) => {
      await lockStreamRow(client, streamId);
      const whole = await dropSegments(client, streamId, "last_seq <= $2", [upToSeq]);
      const part = cut ? await applySegmentCut(client, streamId, cut, true) : null;
      const hot = await removeWhere(client, streamId, "seq <= $2", [upToSeq]);
      return sum(hot, whole, part);
    });
  }

  /** Age retention: hot rows older than `before`, and whole segments whose newest message is. */
  async deleteOlderThan(nodeId: string, streamId: StreamId, before: Date): Promise<Removal> {
    return this.fencedTx(nodeId, false, async (client) => {
      await lockStreamRow(client, streamId);
      const whole = await dropSegments(client, streamId, "last_ts < $2", [before]);
      const hot = await removeWhere(client, streamId, "ts < $2", [before]);
      return sum(hot, whole, null);
    });
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

/** Adds what the cold tier gave up to the hot delete's result (whose firstSeq covers both tiers). */
function sum(hot: Removal, ...cold: (Removal | null)[]): Removal {
  let { messages, bytes } = hot;
  for (const c of cold) {
    messages += c?.messages ?? 0;
    bytes += c?.bytes ?? 0;
  }
  return { messages, bytes, firstSeq: hot.firstSeq };
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
