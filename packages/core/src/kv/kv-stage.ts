import { StrataError, ValidationFailed } from "../errors.js";
import { type KvBatchOutcome, type KvBatchPut } from "./kv.js";
import { BucketFull, KeyNotFound, ValueTooLarge } from "./kv.errors.js";
import { type KvChange } from "./kv-store.js";
import { OwnedBucket } from "./owned-bucket.js";

/** A write as the owner stages it; `expire` is the purge of a key whose TTL ran out. */
export type StagedOp =
  | {
      readonly op: "put";
      readonly key: string;
      readonly value: Uint8Array;
      /** undefined: the bucket default; 0: no expiry. */
      readonly ttlSeconds?: number;
    }
  | { readonly op: "delete" | "expire"; readonly key: string };

/** Accepted changes with their revision, ready for the group committer. */
export interface Staged {
  /** null when nothing gets a revision (a touch). */
  readonly revision: number | null;
  readonly changes: readonly KvChange[];
  readonly bytesDelta: number;
}

/**
 * Checks the limits for `ops` against the bucket's current state, then — only
 * if all pass — gives them the next revision (one for all of them) and
 * records them in memory. Deletes of keys that do not exist change nothing;
 * returns null when no op changes anything. The caller has loaded every key
 * whose state matters (with `max_bytes`, every key).
 */
export function stageWrites(b: OwnedBucket, now: number, ops: readonly StagedOp[]): Staged | null {
  const { maxValueBytes, maxBytes, ttlSeconds } = b.config;
  const effective = ops.every((o) => o.op === "put")
    ? ops
    : ops.filter((o) => {
        if (o.op === "put") return true;
        const s = b.state(o.key);
        // An expired key is gone for a delete, but its purge still removes the stored row.
        return o.op === "expire" ? (s?.revision ?? 0) > 0 : OwnedBucket.live(s, now);
      });
  let growth = 0;
  for (const o of effective) {
    if (o.op === "put" && maxValueBytes !== null && o.value.byteLength > maxValueBytes) {
      throw new ValueTooLarge(maxValueBytes);
    }
    growth += (o.op === "put" ? o.value.byteLength : 0) - (b.state(o.key)?.storedBytes ?? 0);
  }
  if (maxBytes !== null && growth > 0 && b.bytes + growth > maxBytes)
    throw new BucketFull(maxBytes);
  if (effective.length === 0) return null;

  const revision = ++b.lastRevision;
  let bytesDelta = 0;
  const changes = effective.map((o): KvChange => {
    const contended = (b.state(o.key)?.pending ?? 0) > 0;
    if (o.op !== "put") {
      bytesDelta += b.apply(o.key, { revision: 0, value: null, expiresAt: null });
      const base = { bucketId: b.id, key: o.key, revision, value: null, expiresAt: null };
      return { ...base, op: o.op, contended };
    }
    const ttl = o.ttlSeconds ?? ttlSeconds;
    const expiresAt = ttl ? now + ttl * 1000 : null;
    bytesDelta += b.apply(o.key, { revision, value: o.value, expiresAt });
    return {
      bucketId: b.id,
      key: o.key,
      op: "put",
      revision,
      value: o.value,
      expiresAt: expiresAt === null ? null : new Date(expiresAt),
      contended,
    };
  });
  return { revision, changes, bytesDelta };
}

/** A touch: a live key's expiry moves to now + TTL (0: never); no revision, no event. */
export function stageTouch(
  b: OwnedBucket,
  now: number,
  key: string,
  ttlSeconds: number | undefined,
): Staged {
  if (!OwnedBucket.live(b.state(key), now)) throw new KeyNotFound(b.name, key);
  const ttl = ttlSeconds ?? b.config.ttlSeconds;
  if (ttl === null) {
    throw new ValidationFailed([
      { path: "Strata-TTL", message: "is required: the bucket has no default TTL" },
    ]);
  }
  const expiresAt = ttl === 0 ? null : now + ttl * 1000;
  const contended = b.state(key)!.pending > 0;
  b.retime(key, expiresAt);
  const at = expiresAt === null ? null : new Date(expiresAt);
  const change = { bucketId: b.id, key, revision: null, value: null, expiresAt: at, contended };
  return { revision: null, changes: [{ ...change, op: "touch" }], bytesDelta: 0 };
}

/** The purge of a key whose TTL has run out (by this node's clock); null when it has not, or is gone. */
export function stageExpire(b: OwnedBucket, now: number, key: string): Staged | null {
  const s = b.state(key);
  const due = !!s && s.revision > 0 && s.expiresAt !== null && s.expiresAt <= now;
  return due ? stageWrites(b, now, [{ op: "expire", key }]) : null;
}

/** A batch's puts as staged: what was refused, and which entry each staged write is. */
export interface PutBatchPlan {
  readonly staged: Staged[];
  /** Entry index of each staged write. */
  readonly at: number[];
  readonly refused: Map<number, Error>;
}

/**
 * Stages a batch's puts one by one, in order, each with its own revision; an
 * entry whose condition or limit fails is refused alone (nothing of it is
 * recorded), the others go on.
 */
export function planPutBatch(b: OwnedBucket, now: number, puts: readonly KvBatchPut[]) {
  const plan: PutBatchPlan = { staged: [], at: [], refused: new Map() };
  for (const [i, p] of puts.entries()) {
    try {
      if (p.compare) b.require([p.compare], now, false);
      const { key, value, ttlSeconds } = p;
      plan.staged.push(stageWrites(b, now, [{ op: "put", key, value, ttlSeconds }])!);
      plan.at.push(i);
    } catch (err) {
      if (!(err instanceof StrataError)) throw err;
      plan.refused.set(i, err);
    }
  }
  return plan;
}

/** Each entry's outcome, in entry order, once the staged writes have settled. */
export function batchOutcomes(
  plan: PutBatchPlan,
  settled: readonly PromiseSettledResult<void>[],
): KvBatchOutcome[] {
  const outcomes: KvBatchOutcome[] = [];
  for (const [i, error] of plan.refused) outcomes[i] = { error };
  settled.forEach((s, n) => {
    outcomes[plan.at[n]!] =
      s.status === "fulfilled"
        ? { revision: plan.staged[n]!.revision! }
        : { error: s.reason as Error };
  });
  return outcomes;
}
