import { CommitFailed, Fenced } from "../streams/stream.errors.js";
import {
  type BucketId,
  type BucketRef,
  DEFAULT_KV_CONFIG,
  type KvEntry,
  type KvEvent,
} from "./kv.js";
import {
  type KvCommitBatch,
  type KvCommitOutcome,
  type KvEventPage,
  type KvLog,
  type KvReader,
  type LoadedBucket,
  type StoredKey,
} from "./kv-store.js";

interface MemoryBucket {
  ref: BucketRef;
  lastRevision: number;
  compactedRevision: number;
  entries: Map<string, StoredKey>;
  events: KvEvent[];
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * KvLog and KvReader in memory: the reference behaviour of the ports, for
 * unit tests. `fail` makes the next commit throw; `fenced` makes every
 * commit throw Fenced; `now` is the store's clock.
 */
export class MemoryKvStore implements KvLog, KvReader {
  readonly buckets = new Map<BucketId, MemoryBucket>();
  fail: Error | undefined;
  fenced = false;
  commits = 0;
  delayMs = 0;
  now: () => number = Date.now;

  addBucket(id: number, config = DEFAULT_KV_CONFIG): BucketRef {
    const ref = { id: id as BucketId, tenantId: "t", name: `b${id}`, config };
    this.buckets.set(ref.id, {
      ref,
      lastRevision: 0,
      compactedRevision: 0,
      entries: new Map(),
      events: [],
    });
    return ref;
  }

  async load(id: BucketId): Promise<LoadedBucket | null> {
    const b = this.buckets.get(id);
    if (!b) return null;
    const bytes = [...b.entries.values()].reduce((n, e) => n + e.value.byteLength, 0);
    const { lastRevision, compactedRevision } = b;
    return { lastRevision, compactedRevision, keys: b.entries.size, bytes };
  }

  async loadKeys(id: BucketId, keys: readonly string[]): Promise<Map<string, StoredKey>> {
    const out = new Map<string, StoredKey>();
    for (const k of keys) {
      const e = this.buckets.get(id)?.entries.get(k);
      if (e) out.set(k, e);
    }
    return out;
  }

  async expiredKeys(id: BucketId, limit: number): Promise<string[]> {
    const now = this.now();
    const entries = [...(this.buckets.get(id)?.entries ?? [])];
    return entries
      .filter(([, e]) => e.expiresAt !== null && e.expiresAt.getTime() <= now)
      .map(([k]) => k)
      .slice(0, limit);
  }

  async bucketsWithExpiredKeys(limit: number): Promise<BucketRef[]> {
    const out: BucketRef[] = [];
    for (const b of this.buckets.values())
      if ((await this.expiredKeys(b.ref.id, 1)).length > 0) out.push(b.ref);
    return out.slice(0, limit);
  }

  async commit(batch: KvCommitBatch, predecessor: Promise<unknown>): Promise<KvCommitOutcome> {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    try {
      await predecessor;
    } catch {
      throw new CommitFailed("An earlier batch failed.");
    }
    if (this.fenced) throw new Fenced(batch.nodeId);
    if (this.fail) {
      const err = this.fail;
      this.fail = undefined;
      throw err;
    }
    const missing = batch.buckets
      .filter((x) => !this.buckets.has(x.bucketId))
      .map((x) => x.bucketId);
    for (const x of batch.buckets) {
      const b = this.buckets.get(x.bucketId);
      if (b && x.prevRevision !== null && b.lastRevision !== x.prevRevision) {
        throw new CommitFailed(
          `bucket ${x.bucketId} is at ${b.lastRevision}, not ${x.prevRevision}`,
        );
      }
    }
    this.commits++;
    for (const c of batch.changes) {
      const b = this.buckets.get(c.bucketId);
      if (!b) continue;
      if (c.op === "touch") {
        const e = b.entries.get(c.key);
        if (e) b.entries.set(c.key, { ...e, expiresAt: c.expiresAt });
        continue;
      }
      const revision = c.revision!;
      b.events.push({ revision, key: c.key, op: c.op, value: c.value, expiresAt: c.expiresAt });
      if (c.op === "put") {
        const prev = b.entries.get(c.key);
        const createRevision = prev ? prev.createRevision : revision;
        b.entries.set(c.key, { revision, createRevision, value: c.value!, expiresAt: c.expiresAt });
      } else b.entries.delete(c.key);
    }
    const buckets = [];
    for (const x of batch.buckets) {
      const b = this.buckets.get(x.bucketId);
      if (!b) continue;
      if (x.lastRevision !== null) b.lastRevision = x.lastRevision;
      this.prune(b, x.history);
      const bytes = [...b.entries.values()].reduce((n, e) => n + e.value.byteLength, 0);
      const { compactedRevision } = b;
      buckets.push({ bucketId: x.bucketId, keys: b.entries.size, bytes, compactedRevision });
    }
    return { buckets, missing };
  }

  async get(id: BucketId, key: string): Promise<KvEntry | null> {
    const e = this.buckets.get(id)?.entries.get(key);
    return e && this.live(e) ? { key, ...e } : null;
  }

  async getMany(id: BucketId, keys: readonly string[]): Promise<Map<string, KvEntry>> {
    const found = new Map<string, KvEntry>();
    for (const key of keys) {
      const e = await this.get(id, key);
      if (e) found.set(key, e);
    }
    return found;
  }

  async getAt(id: BucketId, key: string, revision: number): Promise<KvEvent | null> {
    const events = this.buckets.get(id)?.events ?? [];
    return events.filter((e) => e.key === key && e.revision <= revision).at(-1) ?? null;
  }

  async history(id: BucketId, key: string, page: { limit: number; beforeRevision?: number }) {
    const events = (this.buckets.get(id)?.events ?? []).filter(
      (e) => e.key === key && e.revision < (page.beforeRevision ?? Infinity),
    );
    return events.reverse().slice(0, page.limit);
  }

  async list(
    id: BucketId,
    page: { prefix?: string; after?: string; limit: number; keysOnly?: boolean },
  ): Promise<KvEntry[]> {
    const entries = [...(this.buckets.get(id)?.entries ?? [])]
      .filter(([k, e]) => this.live(e) && k.startsWith(page.prefix ?? ""))
      .filter(([k]) => page.after === undefined || byteOrder(k, page.after) > 0)
      .sort(([a], [b]) => byteOrder(a, b))
      .slice(0, page.limit);
    return entries.map(([key, e]) => ({
      key,
      ...e,
      value: page.keysOnly ? new Uint8Array() : e.value,
    }));
  }

  async events(id: BucketId, from: number, prefix: string | undefined, limit: number) {
    const b = this.buckets.get(id);
    if (!b) return null;
    const all = b.events.filter((e) => e.revision >= from && e.key.startsWith(prefix ?? ""));
    let page = all.slice(0, limit);
    let next = Math.max(from, b.lastRevision + 1);
    if (all.length > limit) {
      // A page ends on a whole revision: a transaction's changes are never split.
      const last = page.at(-1)!.revision;
      const cut = page.findIndex((e) => e.revision === last);
      if (cut > 0) page = page.slice(0, cut);
      else page = all.filter((e) => e.revision === last);
      next = cut > 0 ? last : last + 1;
    }
    const { lastRevision: head, compactedRevision } = b;
    return { events: page, next, head, compactedRevision } satisfies KvEventPage;
  }

  private live(e: StoredKey): boolean {
    return e.expiresAt === null || e.expiresAt.getTime() > this.now();
  }

  private prune(b: MemoryBucket, history: number): void {
    const seen = new Map<string, number>();
    const kept: KvEvent[] = [];
    for (const e of [...b.events].reverse()) {
      const n = (seen.get(e.key) ?? 0) + 1;
      seen.set(e.key, n);
      if (n <= history) kept.push(e);
      else b.compactedRevision = Math.max(b.compactedRevision, e.revision);
    }
    b.events = kept.reverse();
  }
}
