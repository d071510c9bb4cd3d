import { type TenantId } from "../tenants/tenant.js";
import {
  type Headers,
  type Message,
  type Stream,
  type StreamConfig,
  type StreamId,
} from "./stream.js";

/** Tenant-scoped catalog of streams. Another tenant's stream is reported as absent. */
export interface StreamCatalog {
  /** Null when a stream of that name exists already. */
  create(tenantId: TenantId, name: string, config: StreamConfig): Promise<Stream | null>;
  updateConfig(tenantId: TenantId, name: string, config: StreamConfig): Promise<Stream | null>;
  get(tenantId: TenantId, name: string): Promise<Stream | null>;
  list(tenantId: TenantId, page: { after?: string; limit: number }): Promise<Stream[]>;
  /** Deletes the stream, its messages and consumers. */
  delete(tenantId: TenantId, name: string): Promise<Stream | null>;
  /** Which node owns the stream now (its placement row), if any. */
  owner(streamId: StreamId): Promise<{ nodeId: string | null; epoch: number } | null>;
}

/** What a new owner needs to serve a stream: its committed counters and the dedup window. */
export interface StreamCounts {
  readonly messages: number;
  readonly bytes: number;
}

export interface LoadedStream {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly messages: number;
  readonly bytes: number;
  readonly lastTs: Date | null;
  readonly recentMsgIds: readonly { msgId: string; seq: number; ts: Date }[];
}

export interface PendingRow {
  readonly streamId: StreamId;
  readonly seq: number;
  readonly ts: Date;
  readonly headers: Headers | null;
  readonly value: Uint8Array;
  readonly msgId: string | null;
}

/** Discard-old trimming for one stream, applied after the batch's rows are inserted. */
export interface Trim {
  readonly streamId: StreamId;
  /** Delete at least this many of the oldest messages. */
  readonly dropMessages: number;
  /** Then keep deleting the oldest until at least this many bytes are freed. */
  readonly dropBytes: number;
}

export interface TrimResult {
  readonly streamId: StreamId;
  readonly messages: number;
  readonly bytes: number;
  /** Lowest seq left in the stream. */
  readonly firstSeq: number;
}

/** One group-commit transaction. */
export interface CommitBatch {
  /** The committing node: the transaction proves its node lease is alive (DESIGN §7). */
  readonly nodeId: string;
  readonly replicated: boolean;
  readonly rows: readonly PendingRow[];
  /** Per stream in the batch: its new last seq and how many messages/bytes the rows add. */
  readonly streams: readonly {
    streamId: StreamId;
    lastSeq: number;
    messages: number;
    bytes: number;
  }[];
  readonly trims: readonly Trim[];
}

export interface CommitOutcome {
  readonly trims: readonly TrimResult[];
  /** Streams deleted meanwhile: their rows were not written (nothing else in the batch suffers). */
  readonly missing: readonly StreamId[];
  /** Rows taken out again before COMMIT at the owner's request (`CommitHooks.dropBeforeCommit`). */
  readonly dropped: readonly StreamCut[];
}

/** A stream's rows from `fromSeq` on. */
export interface StreamCut {
  readonly streamId: StreamId;
  readonly fromSeq: number;
}

export interface CommitHooks {
  /**
   * Asked after the predecessor committed, right before COMMIT: rows of
   * these streams at or after `fromSeq` must not land (an earlier batch had
   * a row of the stream refused, so these would follow a gap). They are
   * deleted inside the transaction and reported in `CommitOutcome.dropped`.
   */
  readonly dropBeforeCommit?: () => readonly StreamCut[];
}

/**
 * The database refused the data of some row of a batch (e.g. a character it
 * cannot store); nothing of the batch was written. Which rows is not known:
 * the owner commits the items apart to find them.
 */
export class RowsRejected extends Error {
  override readonly name = "RowsRejected";
}

/** The effect of a delete on a stream's counters. */
export interface Removal {
  readonly messages: number;
  readonly bytes: number;
  readonly firstSeq: number;
}

/**
 * Message storage as the owner sees it. Every write is fenced: it commits
 * only if `nodeId`'s node lease is alive, in the same transaction; otherwise
 * it throws `Fenced` and changes nothing.
 */
export interface MessageLog {
  load(streamId: StreamId, dedupWindowSeconds: number): Promise<LoadedStream>;
  /**
   * `load` without counting the stream (`messages` and `bytes` are 0): a
   * few index lookups however long the stream is, so a node that restarts
   * serves its streams again at once. `count` supplies the rest.
   */
  loadHead(streamId: StreamId, dedupWindowSeconds: number): Promise<LoadedStream>;
  /** Messages and bytes stored with seq <= `upToSeq`, in both tiers, in one snapshot. */
  count(streamId: StreamId, upToSeq: number): Promise<StreamCounts>;
  /**
   * Writes the batch in one transaction, then waits for `predecessor` (the
   * batch before it) before COMMIT, and rolls back if that one failed: commits
   * land in order, so a failed batch never leaves a seq gap behind a later one.
   * Throws `RowsRejected` when the database refuses some row's data.
   */
  commit(
    batch: CommitBatch,
    predecessor: Promise<unknown>,
    hooks?: CommitHooks,
  ): Promise<CommitOutcome>;
  read(streamId: StreamId, fromSeq: number, limit: number, maxBytes: number): Promise<Message[]>;
  readOne(streamId: StreamId, seq: number): Promise<Message | null>;
  deleteOne(nodeId: string, streamId: StreamId, seq: number): Promise<Removal | null>;
  /** Deletes every message with seq ≤ `upToSeq`. */
  deleteUpTo(nodeId: string, streamId: StreamId, upToSeq: number): Promise<Removal>;
  /** Deletes messages older than `before` (age retention). */
  deleteOlderThan(nodeId: string, streamId: StreamId, before: Date): Promise<Removal>;
}

export interface Consumer {
  readonly streamId: StreamId;
  readonly name: string;
  readonly ackedSeq: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Durable consumers (named cursors). Acks only move forward. */
export interface ConsumerStore {
  upsert(
    streamId: StreamId,
    name: string,
    ackedSeq: number | undefined,
  ): Promise<{ consumer: Consumer; created: boolean }>;
  get(streamId: StreamId, name: string): Promise<Consumer | null>;
  list(streamId: StreamId): Promise<Consumer[]>;
  delete(streamId: StreamId, name: string): Promise<boolean>;
  ack(streamId: StreamId, name: string, seq: number): Promise<Consumer | null>;
}
