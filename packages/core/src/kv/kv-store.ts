import { type TenantId } from "../tenants/tenant.js";
import {
  type Bucket,
  type BucketId,
  type BucketRef,
  type KvConfig,
  type KvEntry,
  type KvEvent,
  type KvOp,
} from "./kv.js";

/** Tenant-scoped catalog of buckets. Another tenant's bucket is reported as absent. */
export interface KvCatalog {
  /** Null when a bucket of that name exists already. */
  create(tenantId: TenantId, name: string, config: KvConfig): Promise<Bucket | null>;
  updateConfig(tenantId: TenantId, name: string, config: KvConfig): Promise<Bucket | null>;
  get(tenantId: TenantId, name: string): Promise<Bucket | null>;
  list(tenantId: TenantId, page: { after?: string; limit: number }): Promise<Bucket[]>;
  /** Deletes the bucket with its keys and history. */
  delete(tenantId: TenantId, name: string): Promise<Bucket | null>;
  /** Which node owns the bucket now (its placement row), if any. */
  owner(bucketId: BucketId): Promise<{ nodeId: string | null; epoch: number } | null>;
}

/** What a new owner loads: the committed counters. */
export interface LoadedBucket {
  readonly lastRevision: number;
  readonly compactedRevision: number;
  readonly keys: number;
  readonly bytes: number;
}

/** A key as stored, expired or not (the owner decides what expiry means for a write). */
export interface StoredKey {
  readonly revision: number;
  readonly createRevision: number;
  readonly value: Uint8Array;
  readonly expiresAt: Date | null;
}

/** One change in a commit batch; `touch` moves a key's expiry without a revision. */
export interface KvChange {
  readonly bucketId: BucketId;
  readonly key: string;
  readonly op: KvOp | "touch";
  /** null for `touch`. */
  readonly revision: number | null;
  readonly value: Uint8Array | null;
  readonly expiresAt: Date | null;
  /**
   * An earlier change to this key was accepted and is not committed yet (it
   * may be in another batch in flight): this change must be written after
   * the batches before it have committed. Other changes may be written while
   * earlier batches are still in flight, since no other transaction touches
   * their keys.
   */
  readonly contended?: boolean;
}

/** Per bucket in a batch: the revision it must be at before, and after. */
export interface KvBatchBucket {
  readonly bucketId: BucketId;
  /** Both null when the batch only touches keys (no new revision). */
  readonly prevRevision: number | null;
  readonly lastRevision: number | null;
  /** Revisions kept per key, for pruning. */
  readonly history: number;
}

/** One group-commit transaction of the KV owner. */
export interface KvCommitBatch {
  /** The committing node: the transaction proves its node lease is alive (DESIGN §7). */
  readonly nodeId: string;
  readonly buckets: readonly KvBatchBucket[];
  /** In acceptance order (so by revision within a bucket). */
  readonly changes: readonly KvChange[];
}

export interface KvCommittedBucket {
  readonly bucketId: BucketId;
  readonly keys: number;
  readonly bytes: number;
  readonly compactedRevision: number;
}

export interface KvCommitOutcome {
  readonly buckets: readonly KvCommittedBucket[];
  /** Buckets deleted meanwhile: nothing of theirs was written (nothing else in the batch suffers). */
  readonly missing: readonly BucketId[];
}

/**
 * KV storage as the bucket's owner sees it. Every write is fenced: it
 * commits only if `nodeId`'s node lease is alive, in the same transaction;
 * otherwise it throws `Fenced` and changes nothing.
 */
export interface KvLog {
  /** Null when the bucket does not exist. */
  load(bucketId: BucketId): Promise<LoadedBucket | null>;
  /** The stored rows of these keys (expired ones included); absent keys are missing from the map. */
  loadKeys(bucketId: BucketId, keys: readonly string[]): Promise<Map<string, StoredKey>>;
  /** Keys whose expiry has passed, by the database clock, oldest expiry first. */
  expiredKeys(bucketId: BucketId, limit: number): Promise<string[]>;
  /** Buckets holding expired keys, so they can be purged even when no one writes to them. */
  bucketsWithExpiredKeys(limit: number): Promise<BucketRef[]>;
  /**
   * Writes the batch in one transaction after `predecessor` (the batch
   * before it) has committed, and rolls back if that one failed: commits land
   * in order and revisions stay dense. Checks each bucket is at `prevRevision`.
   */
  commit(batch: KvCommitBatch, predecessor: Promise<unknown>): Promise<KvCommitOutcome>;
}

/** A page of a bucket's change log, for watches. */
export interface KvEventPage {
  /** Changes with revision in [from, next) matching the prefix, by revision (then key). */
  readonly events: readonly KvEvent[];
  /** Where the next read starts; past the head when the log has been read to its end. */
  readonly next: number;
  /** The bucket's last committed revision as of this read. */
  readonly head: number;
  readonly compactedRevision: number;
}

/** Committed state, for readers on any node. Expired keys are never returned. */
export interface KvReader {
  get(bucketId: BucketId, key: string): Promise<KvEntry | null>;
  /** Live keys among `keys`; the others are missing from the map. */
  getMany(bucketId: BucketId, keys: readonly string[]): Promise<Map<string, KvEntry>>;
  /** The key's last change at or before `revision`, or null when history has none. */
  getAt(bucketId: BucketId, key: string, revision: number): Promise<KvEvent | null>;
  /** The key's changes, newest first. */
  history(
    bucketId: BucketId,
    key: string,
    page: { limit: number; beforeRevision?: number },
  ): Promise<KvEvent[]>;
  /** Live keys in key order (bytewise), `keysOnly` leaving values empty. */
  list(
    bucketId: BucketId,
    page: { prefix?: string; after?: string; limit: number; keysOnly?: boolean },
  ): Promise<KvEntry[]>;
  /** Changes from revision `from`; null when the bucket is gone. */
  events(
    bucketId: BucketId,
    from: number,
    prefix: string | undefined,
    limit: number,
  ): Promise<KvEventPage | null>;
}

/**
 * The smallest string above every string that starts with `prefix`, in
 * bytewise (code point) order; undefined when there is none. Turns a prefix
 * scan into an index range: `key >= prefix and key < upper`.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix].map((c) => c.codePointAt(0)!);
  while (points.length > 0) {
    let last = points.pop()! + 1;
    if (last === 0xd800) last = 0xe000;
    if (last <= 0x10ffff) return String.fromCodePoint(...points, last);
  }
  return undefined;
}
