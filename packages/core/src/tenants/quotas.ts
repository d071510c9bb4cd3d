import { z } from "zod";
import { type Clock, epochMs } from "../common/clock.js";
import { ExceedsQuota, TooManyRequests } from "../errors.js";
import { type TenantId } from "./tenant.js";
import { TenantTraffic, type TrafficOp } from "./tenant-traffic.js";
import { TokenBucket } from "./token-bucket.js";

const positiveInt = z
  .number()
  .int({ message: "must be a whole number" })
  .positive({ message: "must be positive" })
  .max(Number.MAX_SAFE_INTEGER);

/** A tenant's quotas; an absent field means unlimited. */
export const tenantQuotasSchema = z.strictObject({
  messages_per_second: positiveInt.optional(),
  stored_bytes: positiveInt.optional(),
  connections: positiveInt.optional(),
});
export type TenantQuotas = z.infer<typeof tenantQuotasSchema>;

/** Where quotas and usage come from; the database lives outside the core. */
export interface QuotaSource {
  quotas(tenantId: TenantId): Promise<TenantQuotas>;
  /** Stream (hot and cold), KV and document bytes of the tenant. */
  storedBytes(tenantId: TenantId): Promise<number>;
}

export interface QuotaGuardOptions {
  /** How long a tenant's quotas are trusted before they are read again. */
  readonly quotasCacheMs: number;
  /** How long the stored-bytes aggregate is trusted (this node adds what it admits meanwhile). */
  readonly storedBytesCacheMs: number;
}

type Cached<T> = { value: T; at: number };

/**
 * A tenant's stored bytes on this node: the aggregate last read (`base`)
 * plus what this node admitted since (`added`), so a burst is counted at once
 * instead of when the aggregate is next read.
 */
interface StoredBytes {
  base: number;
  added: number;
  at: number;
}

export interface TenantUsage {
  /** Messages appended through this node over the last few seconds, per second. */
  readonly messagesPerSecond: number;
  readonly connections: number;
}

/** What a write asks of the quotas: rate tokens (messages or operations) and bytes to store. */
interface Ask {
  readonly count: number;
  readonly bytes: number;
  readonly what: string; // what `count` counts, for a refusal's message
}

const RATE_WINDOW_MS = 5_000;

/** Read the cached aggregates again ahead of expiry, so busy tenants never wait for a lookup. */
const REFRESH_AHEAD = 0.75;

/**
 * Enforces tenant quotas on the requests this node receives, in memory: the
 * hot path makes no database query. Everything here is per node: in a cluster
 * of N nodes a tenant may reach N times its messages_per_second and
 * connections if its load is spread over all of them. A request is admitted
 * whole or not at all, before anything is written: its messages (or KV and
 * document operations) take tokens of messages_per_second, and its bytes are
 * added to the stored-bytes total at once, so stored_bytes is overshot by at
 * most the requests admitted while under it (about one batch per node).
 */
export class TenantQuotaGuard {
  private readonly quotaCache = new Map<TenantId, Cached<TenantQuotas>>();
  private readonly bytesCache = new Map<TenantId, StoredBytes>();
  private readonly buckets = new Map<TenantId, TokenBucket>();
  private readonly connections = new Map<TenantId, number>();
  private readonly appended = new Map<TenantId, { at: number; n: number }[]>();
  private readonly quotaReads = new Map<TenantId, Promise<TenantQuotas>>();
  private readonly bytesReads = new Map<TenantId, Promise<StoredBytes>>();
  /** What each tenant's admitted requests asked of this node, for the operator's traffic view. */
  readonly traffic: TenantTraffic;

  constructor(
    private readonly source: QuotaSource,
    private readonly clock: Clock,
    private readonly options: QuotaGuardOptions,
  ) {
    this.traffic = new TenantTraffic(clock);
  }

  /** Before appending `messages` messages of `bytes` bytes (values): all or none. */
  async admitAppend(tenantId: TenantId, messages: number, bytes = 0): Promise<void> {
    const q = await this.quotas(tenantId);
    const stored = q.stored_bytes === undefined ? undefined : await this.storedBytes(tenantId);
    this.admit(tenantId, q, stored, { count: messages, bytes, what: "messages" });
    this.recordAppend(tenantId, messages, bytes);
  }

  /**
   * `admitAppend` without waiting, for the hot path: true when admitted (or
   * throws, nothing taken), undefined when the tenant's quotas or stored
   * bytes are not cached (then call `admitAppend`).
   */
  admitAppendNow(tenantId: TenantId, messages: number, bytes = 0): true | undefined {
    const now = epochMs(this.clock);
    const q = this.quotaCache.get(tenantId);
    if (!q || now - q.at >= this.options.quotasCacheMs) return undefined;
    if (now - q.at >= this.options.quotasCacheMs * REFRESH_AHEAD)
      this.readQuotas(tenantId).catch(() => undefined);
    let stored: StoredBytes | undefined;
    if (q.value.stored_bytes !== undefined) {
      stored = this.bytesCache.get(tenantId);
      if (!stored || now - stored.at >= this.options.storedBytesCacheMs) return undefined;
      if (now - stored.at >= this.options.storedBytesCacheMs * REFRESH_AHEAD)
        this.readStoredBytes(tenantId).catch(() => undefined);
    }
    this.admit(tenantId, q.value, stored, { count: messages, bytes, what: "messages" });
    this.recordAppend(tenantId, messages, bytes);
    return true;
  }

  /**
   * Before a write that stores bytes (KV put, document change): its `count`
   * operations (default 1) take messages_per_second tokens like messages, and
   * its bytes count against stored_bytes. `op` names it for the traffic counters.
   */
  async admitWrite(
    tenantId: TenantId,
    traffic?: { op: Exclude<TrafficOp, "messages_appended">; count?: number; bytes?: number },
  ): Promise<void> {
    const q = await this.quotas(tenantId);
    const stored = q.stored_bytes === undefined ? undefined : await this.storedBytes(tenantId);
    const ask = { count: traffic?.count ?? 1, bytes: traffic?.bytes ?? 0, what: "writes" };
    this.admit(tenantId, q, stored, ask);
    if (traffic) this.traffic.record(tenantId, traffic.op, ask.count, traffic.bytes);
  }

  /** Counts a new connection; call the returned function once when it closes. */
  async openConnection(tenantId: TenantId): Promise<() => void> {
    const q = await this.quotas(tenantId);
    const open = this.connections.get(tenantId) ?? 0;
    if (q.connections !== undefined && open >= q.connections) {
      throw new TooManyRequests(
        `The tenant's quota of ${q.connections} open connections (connections) is reached on this node.`,
        5_000,
      );
    }
    this.connections.set(tenantId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.connections.get(tenantId) ?? 1) - 1;
      if (left > 0) this.connections.set(tenantId, left);
      else this.connections.delete(tenantId);
    };
  }

  usage(tenantId: TenantId): TenantUsage {
    const now = epochMs(this.clock);
    const recent = (this.appended.get(tenantId) ?? []).filter((e) => now - e.at < RATE_WINDOW_MS);
    const n = recent.reduce((a, e) => a + e.n, 0);
    return {
      messagesPerSecond: Math.round((n / (RATE_WINDOW_MS / 1000)) * 10) / 10,
      connections: this.connections.get(tenantId) ?? 0,
    };
  }

  /** Quotas changed: read them (and the stored bytes) again on the next request. */
  invalidate(tenantId: TenantId): void {
    this.quotaCache.delete(tenantId);
    this.quotaReads.delete(tenantId);
    this.bytesCache.delete(tenantId);
    this.bytesReads.delete(tenantId);
  }

  async quotas(tenantId: TenantId): Promise<TenantQuotas> {
    const now = epochMs(this.clock);
    const hit = this.quotaCache.get(tenantId);
    if (hit && now - hit.at < this.options.quotasCacheMs) return hit.value;
    return this.readQuotas(tenantId);
  }

  /**
   * The checks and the taking, synchronous so that nothing else is admitted
   * in between: stored_bytes, then messages_per_second; on success the
   * tokens are taken and the bytes counted, on refusal nothing is.
   */
  private admit(
    tenantId: TenantId,
    q: TenantQuotas,
    stored: StoredBytes | undefined,
    ask: Ask,
  ): void {
    if (q.stored_bytes !== undefined && stored) {
      const total = stored.base + stored.added;
      if (total >= q.stored_bytes) {
        throw new TooManyRequests(
          `The tenant stores ${total} bytes, at or over its quota of ${q.stored_bytes} (stored_bytes).`,
          this.options.storedBytesCacheMs,
        );
      }
    }
    const rate = q.messages_per_second;
    if (rate !== undefined) {
      if (ask.count > rate)
        throw new ExceedsQuota("messages_per_second", rate, ask.count, ask.what);
      let bucket = this.buckets.get(tenantId);
      if (!bucket) {
        bucket = new TokenBucket(rate, this.clock);
        this.buckets.set(tenantId, bucket);
      }
      const taken = bucket.take(ask.count);
      if (!taken.ok) {
        throw new TooManyRequests(
          `The tenant's quota of ${rate} messages per second (messages_per_second) is exhausted.`,
          taken.retryAfterMs,
        );
      }
    }
    if (stored) stored.added += ask.bytes;
  }

  /** The stored-bytes total, read when missing or stale. */
  private async storedBytes(tenantId: TenantId): Promise<StoredBytes> {
    const hit = this.bytesCache.get(tenantId);
    if (hit && epochMs(this.clock) - hit.at < this.options.storedBytesCacheMs) return hit;
    return this.readStoredBytes(tenantId);
  }

  /** One read of a tenant's stored bytes at a time, shared by every request that needs it. */
  private readStoredBytes(tenantId: TenantId): Promise<StoredBytes> {
    const pending = this.bytesReads.get(tenantId);
    if (pending) return pending;
    const at = epochMs(this.clock);
    const before = this.bytesCache.get(tenantId);
    const addedBefore = before?.added ?? 0;
    const read: Promise<StoredBytes> = this.source
      .storedBytes(tenantId)
      .then((base) => {
        const now = this.bytesCache.get(tenantId);
        // Bytes admitted while the aggregate was read may be missing from it: keep them counted.
        const added = now && now === before ? now.added - addedBefore : 0;
        const entry = { base, added, at };
        // Invalidated meanwhile: this answer may predate the change.
        if (this.bytesReads.get(tenantId) === read) this.bytesCache.set(tenantId, entry);
        return entry;
      })
      .finally(() => {
        if (this.bytesReads.get(tenantId) === read) this.bytesReads.delete(tenantId);
      });
    this.bytesReads.set(tenantId, read);
    return read;
  }

  /** One read of a tenant's quotas at a time, shared by every request that needs it. */
  private readQuotas(tenantId: TenantId): Promise<TenantQuotas> {
    const pending = this.quotaReads.get(tenantId);
    if (pending) return pending;
    const at = epochMs(this.clock);
    const read: Promise<TenantQuotas> = this.source
      .quotas(tenantId)
      .then((value) => {
        // Invalidated meanwhile: this answer may predate the change.
        if (this.quotaReads.get(tenantId) !== read) return value;
        this.quotaCache.set(tenantId, { value, at });
        const bucket = this.buckets.get(tenantId);
        if (value.messages_per_second === undefined) this.buckets.delete(tenantId);
        else bucket?.setRate(value.messages_per_second);
        return value;
      })
      .finally(() => {
        if (this.quotaReads.get(tenantId) === read) this.quotaReads.delete(tenantId);
      });
    this.quotaReads.set(tenantId, read);
    return read;
  }

  private recordAppend(tenantId: TenantId, n: number, bytes: number): void {
    this.traffic.record(tenantId, "messages_appended", n, bytes);
    const now = epochMs(this.clock);
    let log = this.appended.get(tenantId);
    const last = log?.[log.length - 1];
    // One entry per 100 ms keeps the log short under load (and this call cheap).
    if (last && now - last.at < 100) {
      last.n += n;
      return;
    }
    log = (log ?? []).filter((e) => now - e.at < RATE_WINDOW_MS);
    log.push({ at: now, n });
    this.appended.set(tenantId, log);
  }
}
