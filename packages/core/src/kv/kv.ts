import { type Brand } from "../common/brand.js";
import { type TenantId } from "../tenants/tenant.js";

export type BucketId = Brand<number, "BucketId">;

/** `standard`: revisions, CAS and watch; `crdt`: one Automerge document, writes merge (kv-crdt). */
export const KV_MODES = ["standard", "crdt"] as const;
export type KvMode = (typeof KV_MODES)[number];

/** What a change did to a key. `expire` is a TTL running out, purged by the owner. */
export const KV_OPS = ["put", "delete", "expire"] as const;
export type KvOp = (typeof KV_OPS)[number];

/** Keys are UTF-8 of at most this many bytes. */
export const KV_KEY_MAX_BYTES = 1024;

/** Per-bucket settings; null means unlimited (or, for `ttlSeconds`, no default TTL). */
export interface KvConfig {
  /** Revisions kept per key (1 = last value only); older ones are pruned on write. */
  readonly history: number;
  /** Default TTL of a key written without `Strata-TTL`. */
  readonly ttlSeconds: number | null;
  readonly maxValueBytes: number | null;
  /** Most value bytes the bucket may hold. */
  readonly maxBytes: number | null;
}

export const DEFAULT_KV_CONFIG: KvConfig = {
  history: 1,
  ttlSeconds: null,
  maxValueBytes: null,
  maxBytes: null,
};

/** A bucket's catalog entry with its committed counters. */
export interface Bucket {
  readonly id: BucketId;
  readonly tenantId: TenantId;
  readonly name: string;
  readonly mode: KvMode;
  readonly config: KvConfig;
  /** Revision of the bucket's last committed write (0: none yet). */
  readonly lastRevision: number;
  /** Highest revision whose history may be gone: a watch must start after it. */
  readonly compactedRevision: number;
  readonly keys: number;
  /** Value bytes stored (expired keys count until purged). */
  readonly bytes: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What the owner needs to serve a bucket. */
export interface BucketRef {
  readonly id: BucketId;
  readonly tenantId: string;
  readonly name: string;
  readonly config: KvConfig;
}

/** A key's current value, as readers see it. */
export interface KvEntry {
  readonly key: string;
  readonly value: Uint8Array;
  /** Revision of the key's last write (etcd's mod_revision). */
  readonly revision: number;
  /** Revision that created the key (reset when it is deleted and written again). */
  readonly createRevision: number;
  readonly expiresAt: Date | null;
}

/** One change in a bucket: what watchers receive and what history keeps. */
export interface KvEvent {
  readonly revision: number;
  readonly key: string;
  readonly op: KvOp;
  /** The new value (`put` only). */
  readonly value: Uint8Array | null;
  readonly expiresAt: Date | null;
}

/**
 * A condition on a key's current state, for `If-Match`/`If-None-Match` and
 * transactions. Every given field must hold. An expired key is absent.
 */
export interface KvCompare {
  readonly key: string;
  /** The key's revision; 0 means absent. */
  readonly revision?: number;
  readonly exists?: boolean;
  readonly value?: Uint8Array;
}

/** One write of a transaction. */
export type KvTxnOp =
  | {
      readonly op: "put";
      readonly key: string;
      readonly value: Uint8Array;
      /** undefined: the bucket default; 0: no expiry. */
      readonly ttlSeconds?: number;
    }
  | { readonly op: "delete"; readonly key: string };

export interface KvWriteResult {
  readonly revision: number;
}

/** One put of a batch (`kv.put_batch`): its own revision, its own condition, its own outcome. */
export interface KvBatchPut {
  readonly key: string;
  readonly value: Uint8Array;
  /** undefined: the bucket default; 0: no expiry. */
  readonly ttlSeconds?: number;
  readonly compare?: KvCompare;
}

/** A batch entry's outcome: its revision, or why it alone was refused or not committed. */
export type KvBatchOutcome = KvWriteResult | { readonly error: Error };

export interface KvTxnResult {
  /** The transaction's revision; null when none of its writes changed anything. */
  readonly revision: number | null;
}
