import { type Bus } from "../bus/bus.js";
import { type Fenced } from "../streams/stream.errors.js";
import { BucketNotFound } from "./kv.errors.js";
import { type BucketId, type KvEvent, type KvOp } from "./kv.js";
import {
  type KvBatchBucket,
  type KvChange,
  type KvCommitBatch,
  type KvCommitOutcome,
  type KvLog,
} from "./kv-store.js";
import { type LoadedBuckets } from "./loaded-buckets.js";
import { type OwnedBucket } from "./owned-bucket.js";

/** How a KvOwner commits: batch bounds, and hooks for metrics and fencing. */
export interface KvOwnerOptions {
  /** This node; its id changes when it rejoins as a new incarnation. */
  readonly node: { readonly id: string };
  readonly maxBatchItems: number;
  readonly maxInFlight: number;
  /** Settled key states kept in memory per bucket (for CAS without a read). */
  readonly maxKnownKeys?: number;
  /** Called after every group-commit transaction (for metrics). */
  readonly onCommit?: (stats: { ok: boolean; changes: number; seconds: number }) => void;
  /** Called once when a write finds this node fenced. */
  readonly onFenced?: (err: Fenced) => void;
}

/** One accepted write (a put, a delete, a transaction, a touch, an expiry) waiting to be committed. */
export interface KvItem {
  readonly generation: number;
  readonly bucket: OwnedBucket;
  /** null for a touch, which changes no revision. */
  readonly revision: number | null;
  readonly changes: readonly KvChange[];
  readonly bytesDelta: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

/** Merges the items of one transaction: their changes in order, and each bucket's revision range. */
export function buildKvBatch(nodeId: string, items: readonly KvItem[]): KvCommitBatch {
  const buckets = new Map<BucketId, { -readonly [K in keyof KvBatchBucket]: KvBatchBucket[K] }>();
  const changes: KvChange[] = [];
  for (const item of items) {
    for (const c of item.changes) changes.push(c);
    const id = item.bucket.id;
    let b = buckets.get(id);
    if (!b) {
      const history = item.bucket.config.history;
      buckets.set(id, (b = { bucketId: id, prevRevision: null, lastRevision: null, history }));
    }
    if (item.revision === null) continue;
    // Revisions are assigned in acceptance order, so the first one of a bucket opens its range.
    b.prevRevision ??= item.revision - 1;
    b.lastRevision = item.revision;
  }
  return { nodeId, buckets: [...buckets.values()], changes };
}

/** Bus event: the committed changes of one bucket from one transaction, by revision. */
export interface KvBusEvent {
  readonly bucketId: BucketId;
  /** Every revision in [firstRevision, lastRevision] belongs to this event. */
  readonly firstRevision: number;
  readonly lastRevision: number;
  readonly events: readonly KvEvent[];
}

/** The bus events of committed items: one per bucket, its changes in revision order. */
export function busEvents(items: readonly KvItem[]): Map<BucketId, KvBusEvent> {
  const byBucket = new Map<
    BucketId,
    { firstRevision: number; lastRevision: number; events: KvEvent[] }
  >();
  for (const item of items) {
    if (item.revision === null) continue;
    let b = byBucket.get(item.bucket.id);
    if (!b)
      byBucket.set(
        item.bucket.id,
        (b = { firstRevision: item.revision, lastRevision: 0, events: [] }),
      );
    b.lastRevision = item.revision;
    for (const { revision, key, op, value, expiresAt } of item.changes)
      b.events.push({ revision: revision!, key, op: op as KvOp, value, expiresAt });
  }
  return new Map([...byBucket].map(([bucketId, b]) => [bucketId, { bucketId, ...b }]));
}

export const bucketTopic = (id: BucketId) => `bucket:${id}`;

/**
 * After a batch committed: settles the written items in their buckets'
 * memory, publishes their changes, and answers every item — those of
 * buckets deleted meanwhile (`missing`) with BucketNotFound. Returns the
 * buckets written.
 */
export function settleBatch(
  items: readonly KvItem[],
  missing: readonly BucketId[],
  bus: Bus,
): Set<OwnedBucket> {
  const gone = new Set(missing);
  const written = items.filter((i) => !gone.has(i.bucket.id));
  for (const item of written) item.bucket.settle(item.changes, item.bytesDelta);
  for (const [id, event] of busEvents(written)) bus.publish(bucketTopic(id), event);
  for (const item of items) {
    if (gone.has(item.bucket.id)) item.reject(new BucketNotFound(item.bucket.name));
    else item.resolve();
  }
  return new Set(written.map((i) => i.bucket));
}

/**
 * Commits one group-commit batch of live items: the owner's memory takes the
 * database's counters, the items settle (and are published), and the metrics
 * hook hears of it. A failure is thrown as it came; the owner decides what it means.
 */
export async function commitKvBatch(
  log: KvLog,
  nodeId: string,
  live: readonly KvItem[],
  predecessor: Promise<unknown>,
  ctx: KvOwnerOptions & { readonly bus: Bus; readonly buckets: LoadedBuckets },
): Promise<void> {
  const batch = buildKvBatch(nodeId, live);
  const started = performance.now();
  const report = (ok: boolean) =>
    ctx.onCommit?.({
      ok,
      changes: batch.changes.length,
      seconds: (performance.now() - started) / 1000,
    });
  let outcome: KvCommitOutcome;
  try {
    outcome = await log.commit(batch, predecessor);
  } catch (err) {
    report(false);
    throw err;
  }
  report(true);
  ctx.buckets.committed(outcome);
  const max = ctx.maxKnownKeys ?? 10_000;
  for (const b of settleBatch(live, outcome.missing, ctx.bus)) b.evict(max);
}
