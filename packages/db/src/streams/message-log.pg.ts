import {
  CommitFailed,
  type CommitBatch,
  type CommitHooks,
  type CommitOutcome,
  type LoadedStream,
  type Message,
  type MessageLog,
  type PendingRow,
  type Removal,
  RowsRejected,
  type StreamCounts,
  type StreamCut,
  type StreamId,
  type TrimResult,
} from "@strata/core";
import type pg from "pg";
import { fencedCopyTransaction, fencedTransaction } from "../fenced-tx.js";
import { type ColdSegments } from "../tiering/cold-segments.js";
import {
  applySegmentCut,
  dropSegments,
  lockStreamRow,
  lowestSeq,
  planSegmentCut,
} from "./cold-removal.pg.js";
import { applyTrim, removeWhere } from "./stream-removal.pg.js";
import { COPY_MESSAGES_SQL, encodeMessageRows, type MessageCopyRow } from "./copy-rows.pg.js";
import { chunkRows, LARGE_VALUE_BYTES, splitValue } from "./large-values.js";
import { StreamLoaderPg } from "./stream-loader.pg.js";
import { readOneTiered, readTiered } from "./tiered-read.pg.js";

type Client = pg.PoolClient;

/** How often a batch is written again when streams of it were deleted meanwhile. */
const MISSING_STREAM_ATTEMPTS = 3;

/**
 * Stream messages in PostgreSQL. A group-commit batch is one binary COPY
 * (every stream's rows together) in one fenced transaction; nothing else is
 * written on the hot path (counters are derived on load).
 */
export class MessageLogPg implements MessageLog {
  /** `cold` reads the tiered segments (the object store); without it only the hot tier is readable. */
  private readonly loader: StreamLoaderPg;

  constructor(
    private readonly pool: pg.Pool,
    private readonly cold?: ColdSegments,
  ) {
    this.loader = new StreamLoaderPg(pool);
  }

  load(streamId: StreamId, dedupWindowSeconds: number): Promise<LoadedStream> {
    return this.loader.load({ streamId, dedupWindowSeconds });
  }

  loadHead(streamId: StreamId, dedupWindowSeconds: number): Promise<LoadedStream> {
    return this.loader.loadHead({ streamId, dedupWindowSeconds });
  }

  count(streamId: StreamId, upToSeq: number): Promise<StreamCounts> {
    return this.loader.count({ streamId, upToSeq });
  }

  async commit(
    batch: CommitBatch,
    predecessor: Promise<unknown>,
    hooks: CommitHooks = {},
  ): Promise<CommitOutcome> {
    let current = batch;
    const missing: StreamId[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fencedWrite(current, (client) =>
          finishBatch(client, current, predecessor, hooks, missing),
        );
      } catch (err) {
        if (isDataError(err)) throw new RowsRejected((err as Error).message);
        if (!isMissingStream(err) || attempt >= MISSING_STREAM_ATTEMPTS) throw err;
        // A stream of the batch was deleted meanwhile (the rows' foreign key): write the others.
        const present = await this.existing(current.streams.map((s) => s.streamId));
        for (const s of current.streams) if (!present.has(s.streamId)) missing.push(s.streamId);
        current = {
          ...current,
          rows: current.rows.filter((r) => present.has(r.streamId)),
          streams: current.streams.filter((s) => present.has(s.streamId)),
          trims: current.trims.filter((t) => present.has(t.streamId)),
        };
      }
    }
  }

  /** The batch's rows in one fenced COPY, then `rest`, then COMMIT. */
  private fencedWrite(
    batch: CommitBatch,
    rest: (client: Client) => Promise<CommitOutcome>,
  ): Promise<CommitOutcome> {
    const { replicated } = batch;
    if (batch.rows.length === 0) return this.fencedTx(batch.nodeId, replicated, rest);
    const { framed, chunked } = copyPayload(batch.rows);
    const work = async (client: Client) => {
      for (const c of chunked) await chunkRows(client, c.streamId, c.seq, c.parts);
      return rest(client);
    };
    return fencedCopyTransaction(this.pool, batch.nodeId, COPY_MESSAGES_SQL, framed, work, {
      replicated,
    });
  }

  private async existing(ids: readonly StreamId[]): Promise<Set<number>> {
    const { rows } = await this.pool.query<{ id: string }>(
      "select id from streams where id = any($1::bigint[])",
      [ids],
    );
    return new Set(rows.map((r) => Number(r.id)));
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

/** After the rows: trim, wait for the predecessor, apply the hooks. */
async function finishBatch(
  client: Client,
  batch: CommitBatch,
  predecessor: Promise<unknown>,
  hooks: CommitHooks,
  missing: readonly StreamId[],
): Promise<CommitOutcome> {
  const trims: TrimResult[] = [];
  // Ascending stream id: concurrent batches lock in the same order.
  for (const trim of [...batch.trims].sort((a, b) => a.streamId - b.streamId))
    trims.push(await applyTrim(client, trim));
  try {
    await predecessor;
  } catch {
    throw new CommitFailed("An earlier batch failed, so this one was not committed; retry.");
  }
  const dropped = hooks.dropBeforeCommit?.() ?? [];
  for (const cut of dropped) await dropFrom(client, cut);
  return { trims, missing, dropped };
}

/**
 * The rows as one framed COPY payload; values above LARGE_VALUE_BYTES go to
 * chunk rows instead (their COPY row says so). The foreign key's key-share
 * lock on each stream makes a concurrent DELETE of it wait for the commit.
 */
function copyPayload(rows: readonly PendingRow[]): {
  framed: Buffer;
  chunked: { streamId: StreamId; seq: number; parts: Buffer[] }[];
} {
  let copyRows: readonly MessageCopyRow[] = rows;
  const chunked: { streamId: StreamId; seq: number; parts: Buffer[] }[] = [];
  if (rows.some((r) => r.value.byteLength > LARGE_VALUE_BYTES)) {
    copyRows = rows.map((r) => {
      if (r.value.byteLength <= LARGE_VALUE_BYTES) return r;
      const parts = splitValue(r.value);
      chunked.push({ streamId: r.streamId, seq: r.seq, parts });
      return { ...r, valueOutOfLine: true, valueRef: `chunks:${parts.length}` };
    });
  }
  return { framed: encodeMessageRows(copyRows, true), chunked };
}

/** Takes a stream's rows from `fromSeq` on out of the open transaction again. */
async function dropFrom(client: Client, cut: StreamCut): Promise<void> {
  const args = [cut.streamId, cut.fromSeq];
  await client.query("delete from stream_chunks where stream_id = $1 and seq >= $2", args);
  await client.query("delete from stream_messages where stream_id = $1 and seq >= $2", args);
}

/** 23503: a row's stream is gone (the stream was deleted while the batch was being written). */
function isMissingStream(err: unknown): boolean {
  return (err as { code?: unknown }).code === "23503";
}

/**
 * The database refused a row's data (class 22: e.g. a character it cannot
 * store, malformed JSON), as opposed to failing for reasons of its own.
 */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("22");
}
