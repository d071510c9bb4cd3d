import { type Bus } from "../bus/bus.js";
import { ValidationFailed } from "../errors.js";
import { type DocCatalog, docResource, DOCS_DELETED_TOPIC } from "../docs/doc-store.js";
import { newDocumentId } from "../docs/document-id.js";
import { StreamRefCache } from "../streams/stream-ref-cache.js";
import { type Principal } from "../tenants/api-key.js";
import { authorize } from "../tenants/key-authenticator.js";
import { type KvCatalog, type KvReader } from "../kv/kv-store.js";
import { BucketNotFound, KeyNotFound, ValueTooLarge } from "../kv/kv.errors.js";
import {
  type Bucket,
  type KvBatchOutcome,
  type KvBatchPut,
  type KvCompare,
  type KvConfig,
  DEFAULT_KV_CONFIG,
  type KvEntry,
  type KvEvent,
  type KvTxnOp,
  type KvTxnResult,
  type KvWriteResult,
} from "../kv/kv.js";
import { applyKvConfigBody, type BucketConfigBody, type KvListQuery } from "../kv/kv.schemas.js";
import { type BucketInfo, KvService, type KvRouter, type KvWatchHandle } from "../kv/kv-service.js";
import { type WatchSink } from "../kv/kv-watch.js";
import { batchEntries, checkBatchPuts, noTtl, writeBatchPuts } from "./crdt-batch.js";
import { listKeys } from "./list-keys.js";
import {
  CasUnavailableInCrdtMode,
  type CrdtBucket,
  crdtDocRef,
  isCrdtBucket,
  KvModeFixed,
  UnavailableInCrdtMode,
} from "./crdt-bucket.js";
import { type CrdtKv } from "./crdt-kv.js";
import { CrdtKvWatch } from "./crdt-kv-watch.js";

/** What crdt buckets add to the KV catalog. */
export interface CrdtBucketCatalog {
  /** A crdt bucket whose keys live in document `documentId`; null when the name is taken. */
  createCrdt(
    tenantId: Bucket["tenantId"],
    name: string,
    config: KvConfig,
    documentId: string,
  ): Promise<Bucket | null>;
  /** The placement row of a resource (a crdt bucket is owned as its document, `doc:…`). */
  resourceOwner(resource: string): Promise<{ nodeId: string | null; epoch: number } | null>;
}

export interface CrdtBucketParts {
  readonly crdt: CrdtKv;
  readonly buckets: KvCatalog & CrdtBucketCatalog;
  readonly docCatalog: Pick<DocCatalog, "delete">;
}

/**
 * The KV use cases for both bucket modes: each call looks at the bucket's
 * mode (fixed at creation) and serves a crdt bucket from CrdtKv, anything
 * else through KvService unchanged. Same API, minus what a merging bucket
 * cannot mean: compare-and-swap (409), TTL and reads by past revision (400).
 */
export class ModalKvService extends KvService {
  private readonly modes = new StreamRefCache<Bucket>();

  constructor(
    private readonly parts: CrdtBucketParts,
    router: KvRouter,
    reader: KvReader,
    private readonly events: Bus,
  ) {
    super(parts.buckets, router, reader, events);
  }

  override async putBucket(p: Principal, name: string, body: BucketConfigBody) {
    authorize(p, "kv:write", name);
    const existing = await this.parts.buckets.get(p.tenant.id, name);
    if (existing && body.mode !== undefined && body.mode !== existing.mode) {
      throw new KvModeFixed(name, existing.mode, body.mode);
    }
    const crdt = existing ? existing.mode === "crdt" : body.mode === "crdt";
    if (crdt) checkCrdtConfig(body);
    if (crdt && !existing) {
      const config = applyKvConfigBody(DEFAULT_KV_CONFIG, body);
      const created = await this.parts.buckets.createCrdt(
        p.tenant.id,
        name,
        config,
        newDocumentId(),
      );
      if (created && isCrdtBucket(created)) {
        this.modes.set(created);
        // Created now, so automerge-repo clients find the document before the first write.
        await this.parts.crdt.create(crdtDocRef(created));
        return { bucket: created, created: true };
      }
    }
    const result = await super.putBucket(p, name, body);
    // Created concurrently with the other mode.
    if (body.mode !== undefined && result.bucket.mode !== body.mode) {
      throw new KvModeFixed(name, result.bucket.mode, body.mode);
    }
    this.modes.set(result.bucket);
    return result;
  }

  override async getBucket(p: Principal, name: string): Promise<BucketInfo> {
    const info = await super.getBucket(p, name);
    if (!isCrdtBucket(info)) return info;
    const ref = crdtDocRef(info);
    const counters = await this.parts.crdt.read(ref, (m) => {
      let bytes = 0;
      for (const k of m.keys()) bytes += m.get(k)?.byteLength ?? 0;
      return { keys: m.keys().length, bytes, lastRevision: m.revision };
    });
    const owner = await this.parts.buckets.resourceOwner(docResource(ref));
    return { ...info, ...counters, owner };
  }

  override async deleteBucket(p: Principal, name: string): Promise<void> {
    authorize(p, "kv:write", name);
    const b = await this.parts.buckets.get(p.tenant.id, name);
    await super.deleteBucket(p, name);
    this.modes.delete(p.tenant.id, name);
    if (!b || !isCrdtBucket(b)) return;
    const ref = crdtDocRef(b);
    await this.parts.docCatalog.delete(ref);
    this.parts.crdt.drop(ref, new BucketNotFound(name));
    // Every node drops its copies (the document's owner, and crdt mirrors).
    this.events.publish(DOCS_DELETED_TOPIC, ref);
  }

  override async put(
    p: Principal,
    bucket: string,
    key: string,
    value: Uint8Array,
    opts: { ttlSeconds?: number; compare?: KvCompare },
  ): Promise<KvWriteResult> {
    const b = await this.crdtBucket(p, bucket, "kv:write");
    if (!b) return super.put(p, bucket, key, value, opts);
    if (opts.compare) throw new CasUnavailableInCrdtMode(bucket, "If-Match / If-None-Match");
    if (opts.ttlSeconds !== undefined) throw noTtl(bucket);
    if (b.config.maxValueBytes !== null && value.byteLength > b.config.maxValueBytes) {
      throw new ValueTooLarge(b.config.maxValueBytes);
    }
    // A copy: Automerge takes plain Uint8Arrays (not Buffer views of a larger pool).
    const op = { op: "put", key, value: new Uint8Array(value) } as const;
    return { revision: await this.parts.crdt.write(crdtDocRef(b), [op]) };
  }

  /** In a crdt bucket the batch's valid puts are one Automerge change: they share its revision. */
  override async putBatch(
    p: Principal,
    bucket: string,
    puts: readonly KvBatchPut[],
  ): Promise<KvBatchOutcome[]> {
    const b = await this.crdtBucket(p, bucket, "kv:write");
    if (!b) return super.putBatch(p, bucket, puts);
    const checked = checkBatchPuts(b, puts);
    return writeBatchPuts(checked, (ops) => this.parts.crdt.write(crdtDocRef(b), ops));
  }

  override async delete(p: Principal, bucket: string, key: string, compare?: KvCompare) {
    const b = await this.crdtBucket(p, bucket, "kv:write");
    if (!b) return super.delete(p, bucket, key, compare);
    if (compare) throw new CasUnavailableInCrdtMode(bucket, "If-Match");
    return { revision: await this.parts.crdt.write(crdtDocRef(b), [{ op: "delete", key }]) };
  }

  /** Without compares, a crdt bucket's transaction is one Automerge change: all writes or none. */
  override async txn(
    p: Principal,
    bucket: string,
    compares: readonly KvCompare[],
    ops: readonly KvTxnOp[],
  ): Promise<KvTxnResult> {
    const b = await this.crdtBucket(p, bucket, "kv:write");
    if (!b) return super.txn(p, bucket, compares, ops);
    if (compares.length > 0) throw new CasUnavailableInCrdtMode(bucket, "a transaction's compare");
    if (ops.some((o) => o.op === "put" && o.ttlSeconds !== undefined)) throw noTtl(bucket);
    const max = b.config.maxValueBytes;
    for (const o of ops) {
      if (o.op === "put" && max !== null && o.value.byteLength > max) throw new ValueTooLarge(max);
    }
    const writes = ops.map((o) =>
      o.op === "put" ? { ...o, value: new Uint8Array(o.value) } : { op: o.op, key: o.key },
    );
    return { revision: await this.parts.crdt.write(crdtDocRef(b), writes) };
  }

  override async touch(p: Principal, bucket: string, key: string, ttlSeconds?: number) {
    const b = await this.crdtBucket(p, bucket, "kv:write");
    if (!b) return super.touch(p, bucket, key, ttlSeconds);
    throw noTtl(bucket);
  }

  override async get(p: Principal, bucket: string, key: string): Promise<KvEntry> {
    const b = await this.crdtBucket(p, bucket, "kv:read");
    if (!b) return super.get(p, bucket, key);
    const found = await this.parts.crdt.read(crdtDocRef(b), (m) => {
      const value = m.get(key);
      return value && { value, revision: m.revision };
    });
    if (!found) throw new KeyNotFound(bucket, key);
    return { key, ...found, createRevision: found.revision, expiresAt: null };
  }

  override async getBatch(
    p: Principal,
    bucket: string,
    keys: readonly string[],
  ): Promise<Map<string, KvEntry>> {
    const b = await this.crdtBucket(p, bucket, "kv:read");
    if (!b) return super.getBatch(p, bucket, keys);
    return this.parts.crdt.read(crdtDocRef(b), (m) => batchEntries(m, keys));
  }

  override async getAt(p: Principal, bucket: string, key: string, revision: number) {
    const b = await this.crdtBucket(p, bucket, "kv:read");
    if (!b) return super.getAt(p, bucket, key, revision);
    throw noPastRevisions(b);
  }

  override async history(
    p: Principal,
    bucket: string,
    key: string,
    page: { limit: number; beforeRevision?: number },
  ): Promise<KvEvent[]> {
    const b = await this.crdtBucket(p, bucket, "kv:read");
    if (!b) return super.history(p, bucket, key, page);
    throw noPastRevisions(b);
  }

  override async list(p: Principal, bucket: string, q: KvListQuery): Promise<KvEntry[]> {
    const b = await this.crdtBucket(p, bucket, "kv:read");
    if (!b) return super.list(p, bucket, q);
    return this.parts.crdt.read(crdtDocRef(b), (m) => listKeys(m, q));
  }

  override async watch(
    p: Principal,
    bucket: string,
    from: { prefix?: string; revision?: number },
    sink: WatchSink,
  ): Promise<KvWatchHandle> {
    const b = await this.crdtBucket(p, bucket, "kv:read");
    if (!b) return super.watch(p, bucket, from, sink);
    const mirror = await this.parts.crdt.read(crdtDocRef(b), (m) => m);
    const next = from.revision ?? mirror.revision + 1;
    return new CrdtKvWatch(mirror, from.prefix || undefined, next, sink);
  }

  /** The bucket when it is a crdt bucket (after checking `scope`); undefined for KvService to serve. */
  private async crdtBucket(
    p: Principal,
    name: string,
    scope: "kv:read" | "kv:write",
  ): Promise<CrdtBucket | undefined> {
    let b = this.modes.get(p.tenant.id, name);
    if (!b) {
      const found = await this.parts.buckets.get(p.tenant.id, name);
      if (!found) return undefined;
      this.modes.set((b = found));
    }
    if (!isCrdtBucket(b)) return undefined;
    authorize(p, scope, name);
    return b;
  }
}

/** crdt buckets have no TTL, no per-key history and no byte budget: say so instead of ignoring it. */
function checkCrdtConfig(body: BucketConfigBody): void {
  const issues = [];
  if (body.ttl_seconds != null)
    issues.push({ path: "body.ttl_seconds", message: "crdt buckets have no TTL" });
  if (body.history !== undefined && body.history !== 1)
    issues.push({
      path: "body.history",
      message: "crdt buckets keep the Automerge document's whole history; history is not set",
    });
  if (body.max_bytes != null)
    issues.push({
      path: "body.max_bytes",
      message: "crdt buckets are limited by the document size limit",
    });
  if (issues.length > 0) throw new ValidationFailed(issues);
}

const noPastRevisions = (b: CrdtBucket) =>
  new UnavailableInCrdtMode(
    b.name,
    `reading by revision (?revision=, history); past versions are at GET /v1/docs/${b.documentId}?heads=…`,
  );
