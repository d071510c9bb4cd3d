import { type Bus } from "../bus/bus.js";
import { authorize } from "../tenants/key-authenticator.js";
import { type Principal } from "../tenants/api-key.js";
import { StreamRefCache } from "../streams/stream-ref-cache.js";
import { BucketNotFound, Compacted, KeyNotFound } from "./kv.errors.js";
import {
  type Bucket,
  type BucketId,
  type BucketRef,
  DEFAULT_KV_CONFIG,
  type KvBatchOutcome,
  type KvBatchPut,
  type KvCompare,
  type KvConfig,
  type KvEntry,
  type KvEvent,
  type KvTxnOp,
  type KvTxnResult,
  type KvWriteResult,
} from "./kv.js";
import { type KvPeek } from "./owned-bucket.js";
import { applyKvConfigBody, type BucketConfigBody, type KvListQuery } from "./kv.schemas.js";
import { type KvCatalog, type KvReader } from "./kv-store.js";
import { KvWatch, type WatchSink } from "./kv-watch.js";

/**
 * Writes go to the bucket's owner: this node's KvOwner on one node, a
 * forwarding router in a cluster. Same contract either way.
 */
export interface KvRouter {
  put(
    ref: BucketRef,
    key: string,
    value: Uint8Array,
    opts: { ttlSeconds?: number; compare?: KvCompare },
  ): Promise<KvWriteResult>;
  /** Independent puts, answered entry by entry (see KvOwner.putBatch). */
  putBatch(ref: BucketRef, puts: readonly KvBatchPut[]): Promise<KvBatchOutcome[]>;
  delete(ref: BucketRef, key: string, compare?: KvCompare): Promise<KvWriteResult>;
  txn(
    ref: BucketRef,
    compares: readonly KvCompare[],
    ops: readonly KvTxnOp[],
  ): Promise<KvTxnResult>;
  touch(ref: BucketRef, key: string, ttlSeconds?: number): Promise<{ expiresAt: Date | null }>;
  /** Live counters of the owner, when known here. */
  peek(id: BucketId): KvPeek | undefined;
  updateConfig(id: BucketId, config: KvConfig): void;
  forget(id: BucketId): void;
}

/** What callers of `watch` use: the KvWatch of a standard bucket, or a crdt bucket's watch. */
export type KvWatchHandle = Pick<KvWatch, "position" | "state" | "start" | "resume" | "close">;

export interface BucketInfo extends Bucket {
  readonly owner: { nodeId: string | null; epoch: number } | null;
}

/**
 * The KV use cases, each checking the caller's scope and name patterns
 * (which apply to bucket names) and scoping every lookup to the caller's
 * tenant: another tenant's bucket is "not found". Reads go to committed
 * state in the database; writes to the owner.
 */
export class KvService {
  private readonly refs = new StreamRefCache<Bucket>();

  constructor(
    private readonly catalog: KvCatalog,
    private readonly router: KvRouter,
    private readonly reader: KvReader,
    private readonly bus: Bus,
  ) {}

  async putBucket(
    p: Principal,
    name: string,
    body: BucketConfigBody,
  ): Promise<{ bucket: Bucket; created: boolean }> {
    authorize(p, "kv:write", name);
    const existing = await this.catalog.get(p.tenant.id, name);
    if (!existing) {
      const config = applyKvConfigBody(DEFAULT_KV_CONFIG, body);
      const created = await this.catalog.create(p.tenant.id, name, config);
      if (created) {
        this.refs.set(created);
        return { bucket: created, created: true };
      }
    }
    // Exists (or was created concurrently): update its config.
    const current = existing ?? (await this.bucket(p, name));
    const config = applyKvConfigBody(current.config, body);
    const updated = await this.catalog.updateConfig(p.tenant.id, name, config);
    if (!updated) throw new BucketNotFound(name);
    this.refs.set(updated);
    this.router.updateConfig(updated.id, updated.config);
    return { bucket: updated, created: false };
  }

  async getBucket(p: Principal, name: string): Promise<BucketInfo> {
    authorize(p, "kv:read", name);
    const bucket = await this.catalog.get(p.tenant.id, name);
    if (!bucket) throw new BucketNotFound(name);
    const owner = await this.catalog.owner(bucket.id);
    return { ...bucket, owner };
  }

  async listBuckets(p: Principal, page: { after?: string; limit: number }): Promise<Bucket[]> {
    authorize(p, "kv:read");
    const buckets = await this.catalog.list(p.tenant.id, page);
    return buckets.filter((b) => allowed(p, b.name));
  }

  async deleteBucket(p: Principal, name: string): Promise<void> {
    authorize(p, "kv:write", name);
    const gone = await this.catalog.delete(p.tenant.id, name);
    if (!gone) throw new BucketNotFound(name);
    this.refs.delete(p.tenant.id, name);
    this.router.forget(gone.id);
  }

  async put(
    p: Principal,
    bucket: string,
    key: string,
    value: Uint8Array,
    opts: { ttlSeconds?: number; compare?: KvCompare },
  ): Promise<KvWriteResult> {
    authorize(p, "kv:write", bucket);
    return this.routed(p, bucket, (ref) => this.router.put(ref, key, value, opts));
  }

  /** Independent puts to one bucket in one request; each entry has its own outcome. */
  async putBatch(
    p: Principal,
    bucket: string,
    puts: readonly KvBatchPut[],
  ): Promise<KvBatchOutcome[]> {
    authorize(p, "kv:write", bucket);
    return this.routed(p, bucket, (ref) => this.router.putBatch(ref, puts));
  }

  async delete(p: Principal, bucket: string, key: string, compare?: KvCompare) {
    authorize(p, "kv:write", bucket);
    return this.routed(p, bucket, (ref) => this.router.delete(ref, key, compare));
  }

  async txn(p: Principal, bucket: string, compares: readonly KvCompare[], ops: readonly KvTxnOp[]) {
    authorize(p, "kv:write", bucket);
    return this.routed(p, bucket, (ref) => this.router.txn(ref, compares, ops));
  }

  async touch(p: Principal, bucket: string, key: string, ttlSeconds?: number) {
    authorize(p, "kv:write", bucket);
    return this.routed(p, bucket, (ref) => this.router.touch(ref, key, ttlSeconds));
  }

  async get(p: Principal, bucket: string, key: string): Promise<KvEntry> {
    authorize(p, "kv:read", bucket);
    const b = await this.bucket(p, bucket);
    const entry = await this.reader.get(b.id, key);
    if (!entry) throw new KeyNotFound(bucket, key);
    return entry;
  }

  /** Several keys of one bucket, read together; absent (or expired) keys are missing from the map. */
  async getBatch(p: Principal, bucket: string, keys: readonly string[]) {
    authorize(p, "kv:read", bucket);
    const b = await this.bucket(p, bucket);
    return this.reader.getMany(b.id, keys);
  }

  /** The key as of `revision`: its last change at or before it, if that was a put. */
  async getAt(p: Principal, bucket: string, key: string, revision: number): Promise<KvEvent> {
    authorize(p, "kv:read", bucket);
    const b = await this.bucket(p, bucket);
    const event = await this.reader.getAt(b.id, key, revision);
    if (!event) {
      // Nothing at or before it: never written then, or history pruned since.
      const fresh = await this.catalog.get(p.tenant.id, bucket);
      if (fresh && revision <= fresh.compactedRevision) {
        throw new Compacted(revision, fresh.compactedRevision);
      }
    }
    if (!event || event.op !== "put") throw new KeyNotFound(bucket, key, revision);
    return event;
  }

  async history(
    p: Principal,
    bucket: string,
    key: string,
    page: { limit: number; beforeRevision?: number },
  ): Promise<KvEvent[]> {
    authorize(p, "kv:read", bucket);
    const b = await this.bucket(p, bucket);
    return this.reader.history(b.id, key, page);
  }

  async list(p: Principal, bucket: string, q: KvListQuery): Promise<KvEntry[]> {
    authorize(p, "kv:read", bucket);
    const b = await this.bucket(p, bucket);
    return this.reader.list(b.id, {
      prefix: q.prefix,
      after: q.after,
      limit: q.limit,
      keysOnly: q.keys_only,
    });
  }

  /**
   * Checks access and the start revision (omitted: changes from now on);
   * returns the watch unstarted. A start the history no longer holds is
   * `Compacted` here, before anything is streamed.
   */
  async watch(
    p: Principal,
    bucket: string,
    from: { prefix?: string; revision?: number },
    sink: WatchSink,
  ): Promise<KvWatchHandle> {
    authorize(p, "kv:read", bucket);
    const b = await this.catalog.get(p.tenant.id, bucket);
    if (!b) throw new BucketNotFound(bucket);
    const start = from.revision ?? b.lastRevision + 1;
    if (start <= b.compactedRevision) throw new Compacted(start, b.compactedRevision);
    return new KvWatch(this.bus, this.reader, b, from.prefix || undefined, start, sink);
  }

  private async bucket(p: Principal, name: string): Promise<Bucket> {
    const cached = this.refs.get(p.tenant.id, name);
    if (cached) return cached;
    const bucket = await this.catalog.get(p.tenant.id, name);
    if (!bucket) throw new BucketNotFound(name);
    this.refs.set(bucket);
    return bucket;
  }

  /** Runs a write at the owner; a cached bucket may have been deleted (and re-created) elsewhere: look again once. */
  private async routed<T>(p: Principal, name: string, op: (ref: BucketRef) => Promise<T>) {
    const ref = (b: Bucket): BucketRef => ({
      id: b.id,
      tenantId: b.tenantId,
      name,
      config: b.config,
    });
    const cached = this.refs.get(p.tenant.id, name) !== undefined;
    try {
      return await op(ref(await this.bucket(p, name)));
    } catch (err) {
      if (!(err instanceof BucketNotFound) || !cached) throw err;
      this.refs.delete(p.tenant.id, name);
      return op(ref(await this.bucket(p, name)));
    }
  }
}

function allowed(p: Principal, name: string): boolean {
  try {
    authorize(p, "kv:read", name);
    return true;
  } catch {
    return false;
  }
}
