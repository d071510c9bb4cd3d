import { z } from "zod";
import { type Clock, epochMs } from "../common/clock.js";
import { TooManyRequests } from "../errors.js";
import { type TenantId } from "./tenant.js";
import { TenantTraffic, type TrafficOp } from "./tenant-traffic.js";

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

/**
 * A token bucket holding up to one second of the rate. A request larger than
 * the bucket is let through when the bucket is full and leaves it in debt, so
 * a big batch is not refused forever yet still pays for its messages.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private rate: number,
    private readonly clock: Clock,
  ) {
    this.tokens = rate;
    this.at = epochMs(clock);
  }

  /**
   * Takes `n` tokens, or answers how many seconds to wait (nothing taken).
   * An array is several requests sent together (coalesced pipelined appends):
   * each pays as if alone, and either all are taken or none.
   */
  take(n: number | readonly number[]): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.refill();
    let tokens = this.tokens;
    for (const size of typeof n === "number" ? [n] : n) {
      const need = Math.min(size, this.rate);
      if (tokens < need) {
        return {
          ok: false,
          retryAfterSeconds: Math.max(1, Math.ceil((need - tokens) / this.rate)),
        };
      }
      tokens -= size;
    }
    this.tokens = tokens;
    return { ok: true };
  }

  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
    this.tokens = Math.min(this.tokens, rate);
  }

  private refill(): void {
    const now = epochMs(this.clock);
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
  }
}

/** Where quotas and usage come from; the database lives outside the core. */
export interface QuotaSource {
  quotas(tenantId: TenantId): Promise<TenantQuotas>;
  /** Stream (hot and cold), KV and document bytes of the tenant. */
  storedBytes(tenantId: TenantId): Promise<number>;
}

export interface QuotaGuardOptions {
  /** How long a tenant's quotas are trusted before they are read again. */
  readonly quotasCacheMs: number;
  /** How long the stored-bytes aggregate is trusted: the check is late by up to this much. */
  readonly storedBytesCacheMs: number;
}

interface Cached<T> {
  value: T;
  at: number;
}

export interface TenantUsage {
  /** Messages appended through this node over the last few seconds, per second. */
  readonly messagesPerSecond: number;
  readonly connections: number;
}

const RATE_WINDOW_MS = 5_000;

/**
 * Enforces tenant quotas on the requests this node receives. Everything here
 * is per node: in a cluster of N nodes a tenant may reach N times its
 * messages_per_second and connections if its load is spread over all of them.
 * Stored bytes come from a cached aggregate, so a tenant can overshoot by
 * what it writes within one cache window. Checks run before anything is
 * written, so a refused request leaves nothing behind.
 */
export class TenantQuotaGuard {
  private readonly quotaCache = new Map<TenantId, Cached<TenantQuotas>>();
  private readonly bytesCache = new Map<TenantId, Cached<number>>();
  private readonly buckets = new Map<TenantId, TokenBucket>();
  private readonly connections = new Map<TenantId, number>();
  private readonly appended = new Map<TenantId, { at: number; n: number }[]>();
  private readonly quotaReads = new Map<TenantId, Promise<TenantQuotas>>();
  /** What each tenant's admitted requests asked of this node, for the operator's traffic view. */
  readonly traffic: TenantTraffic;

  constructor(
    private readonly source: QuotaSource,
    private readonly clock: Clock,
    private readonly options: QuotaGuardOptions,
  ) {
    this.traffic = new TenantTraffic(clock);
  }

  /**
   * Before appending `messages` messages (or several requests' worth, all or
   * none): stored_bytes, then messages_per_second. `bytes` (their values)
   * only feeds the traffic counters.
   */
  async admitAppend(
    tenantId: TenantId,
    messages: number | readonly number[],
    bytes = 0,
  ): Promise<void> {
    const q = await this.quotas(tenantId);
    await this.checkStoredBytes(tenantId, q);
    if (q.messages_per_second !== undefined) {
      let bucket = this.buckets.get(tenantId);
      if (!bucket) {
        bucket = new TokenBucket(q.messages_per_second, this.clock);
        this.buckets.set(tenantId, bucket);
      }
      const taken = bucket.take(messages);
      if (!taken.ok) {
        throw new TooManyRequests(
          `The tenant's quota of ${q.messages_per_second} messages per second (messages_per_second) is exhausted.`,
          taken.retryAfterSeconds,
        );
      }
    }
    const n = typeof messages === "number" ? messages : sum(messages);
    this.record(tenantId, n);
    this.traffic.record(tenantId, "messages_appended", n, bytes);
  }

  /**
   * `admitAppend` without waiting, for the hot path: true when admitted (or
   * throws TooManyRequests, nothing taken), undefined when the tenant's
   * quotas or stored bytes are not cached (then call `admitAppend`).
   */
  admitAppendNow(
    tenantId: TenantId,
    messages: number | readonly number[],
    bytes = 0,
  ): true | undefined {
    const now = epochMs(this.clock);
    const q = this.quotaCache.get(tenantId);
    if (!q || now - q.at >= this.options.quotasCacheMs) return undefined;
    // Read again ahead of expiry, so a busy tenant's appends never wait for the lookup.
    if (now - q.at >= this.options.quotasCacheMs * 0.75)
      this.readQuotas(tenantId).catch(() => undefined);
    if (q.value.stored_bytes !== undefined) {
      const b = this.bytesCache.get(tenantId);
      if (!b || now - b.at >= this.options.storedBytesCacheMs) return undefined;
      if (b.value >= q.value.stored_bytes) return undefined;
    }
    if (q.value.messages_per_second !== undefined) {
      const bucket = this.buckets.get(tenantId);
      if (!bucket) return undefined;
      const taken = bucket.take(messages);
      if (!taken.ok) {
        throw new TooManyRequests(
          `The tenant's quota of ${q.value.messages_per_second} messages per second (messages_per_second) is exhausted.`,
          taken.retryAfterSeconds,
        );
      }
    }
    const n = typeof messages === "number" ? messages : sum(messages);
    this.record(tenantId, n);
    this.traffic.record(tenantId, "messages_appended", n, bytes);
    return true;
  }

  /**
   * Before a write that stores bytes (KV put, document change); `traffic`
   * says what it is, for the traffic counters (`count` operations, default 1).
   */
  async admitWrite(
    tenantId: TenantId,
    traffic?: { op: Exclude<TrafficOp, "messages_appended">; count?: number; bytes?: number },
  ): Promise<void> {
    await this.checkStoredBytes(tenantId, await this.quotas(tenantId));
    if (traffic) this.traffic.record(tenantId, traffic.op, traffic.count ?? 1, traffic.bytes);
  }

  /** Counts a new connection; call the returned function once when it closes. */
  async openConnection(tenantId: TenantId): Promise<() => void> {
    const q = await this.quotas(tenantId);
    const open = this.connections.get(tenantId) ?? 0;
    if (q.connections !== undefined && open >= q.connections) {
      throw new TooManyRequests(
        `The tenant's quota of ${q.connections} open connections (connections) is reached on this node.`,
        5,
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
  }

  async quotas(tenantId: TenantId): Promise<TenantQuotas> {
    const now = epochMs(this.clock);
    const hit = this.quotaCache.get(tenantId);
    if (hit && now - hit.at < this.options.quotasCacheMs) return hit.value;
    return this.readQuotas(tenantId);
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

  private async checkStoredBytes(tenantId: TenantId, q: TenantQuotas): Promise<void> {
    if (q.stored_bytes === undefined) return;
    const now = epochMs(this.clock);
    let hit = this.bytesCache.get(tenantId);
    if (!hit || now - hit.at >= this.options.storedBytesCacheMs) {
      hit = { value: await this.source.storedBytes(tenantId), at: now };
      this.bytesCache.set(tenantId, hit);
    }
    if (hit.value >= q.stored_bytes) {
      const retry = Math.max(1, Math.ceil(this.options.storedBytesCacheMs / 1000));
      throw new TooManyRequests(
        `The tenant stores ${hit.value} bytes, at or over its quota of ${q.stored_bytes} (stored_bytes).`,
        retry,
      );
    }
  }

  private record(tenantId: TenantId, n: number): void {
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

function sum(ns: readonly number[]): number {
  return ns.reduce((a, n) => a + n, 0);
}
