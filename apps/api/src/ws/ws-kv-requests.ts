import {
  type FrameId,
  frameValue,
  type KvAckEntry,
  type KvCompare,
  type KvEntry,
  type KvEvent,
  type KvRequestFrame,
  type KvService,
  type Principal,
  type TenantQuotaGuard,
  type WireKvEntry,
  type WireKvResult,
} from "@strata/core";
import { TooManyInFlight, wireError } from "./ws-errors.js";
import { type WsLimits } from "./ws-limits.js";

/** Where the answers of a connection's KV requests go. */
export interface KvAnswers {
  /** A completed put or delete; answers of one tick leave in one `kv.acks` frame. */
  ack(entry: KvAckEntry): void;
  /** A completed get; answers of one tick leave in one `kv.entries` frame. */
  entry(entry: WireKvEntry): void;
  error(id: FrameId, err: unknown): void;
  /** A completed batch frame: its entries' outcomes, in request order, as one `kv.results`. */
  results(id: FrameId, results: WireKvResult[]): void;
}

/**
 * `kv.put`, `kv.delete` and `kv.get` of one connection. Frames are never
 * awaited one by one: each becomes a call to the KV service at once and the
 * connection reads on, so pipelined writes meet in the owner's group commit
 * and pipelined gets in one select. Answers come in completion order; a
 * client that needs one write to land before another waits for its answer
 * (or uses `if_revision`).
 */
export class KvRequests {
  private inFlight = 0;
  private closed = false;

  constructor(
    private readonly kv: KvService,
    private readonly principal: Principal,
    private readonly limits: WsLimits,
    private readonly out: KvAnswers,
    private readonly quotas?: TenantQuotaGuard,
  ) {}

  get pending(): number {
    return this.inFlight;
  }

  /**
   * Starts the request; throws TooManyInFlight (nothing started) past the
   * connection's limit, which counts a batch frame's entries one by one.
   */
  submit(f: KvRequestFrame): void {
    const n =
      f.type === "kv.put_batch" ? f.entries.length : f.type === "kv.get_batch" ? f.keys.length : 1;
    if (this.inFlight + n > this.limits.maxInFlightKv) {
      throw new TooManyInFlight("KV requests", this.limits.maxInFlightKv);
    }
    this.inFlight += n;
    const answered = () => (this.inFlight -= n);
    const failed = (err: unknown) => {
      this.inFlight -= n;
      if (!this.closed) this.out.error(f.id, err);
    };
    const { principal, kv } = this;
    const tenant = principal.tenant.id;
    // The tenant's stored-bytes quota, as for REST writes.
    const admitted = <T>(write: () => Promise<T>, count = 1, bytes = 0) =>
      this.quotas
        ? this.quotas.admitWrite(tenant, { op: "kv_writes", count, bytes }).then(write)
        : write();
    switch (f.type) {
      case "kv.put": {
        const compare = condition(f.key, f.if_revision, f.if_absent);
        const opts = { ttlSeconds: f.ttl_seconds, compare };
        const value = frameValue(f);
        const put = () => kv.put(principal, f.bucket, f.key, value, opts);
        admitted(put, 1, value.byteLength).then((r) => {
          answered();
          if (!this.closed) this.out.ack({ id: f.id, revision: r.revision });
        }, failed);
        return;
      }
      case "kv.put_batch": {
        const puts = f.entries.map((e) => ({
          key: e.key,
          value: frameValue(e),
          ttlSeconds: e.ttl_seconds,
          compare: condition(e.key, e.if_revision, e.if_absent),
        }));
        const bytes = puts.reduce((n, e) => n + e.value.byteLength, 0);
        const putAll = () => kv.putBatch(principal, f.bucket, puts);
        admitted(putAll, puts.length, bytes).then((outcomes) => {
          answered();
          if (this.closed) return;
          this.out.results(
            f.id,
            outcomes.map((o) => ("error" in o ? { error: wireError(o.error) } : o)),
          );
        }, failed);
        return;
      }
      case "kv.get_batch": {
        kv.getBatch(principal, f.bucket, f.keys).then((found) => {
          answered();
          if (this.closed) return;
          this.out.results(
            f.id,
            f.keys.map((key) => {
              const e = found.get(key);
              return e ? resultEntry(e) : { key, missing: true as const };
            }),
          );
        }, failed);
        return;
      }
      case "kv.delete": {
        const compare = condition(f.key, f.if_revision);
        admitted(() => kv.delete(principal, f.bucket, f.key, compare)).then((r) => {
          answered();
          if (!this.closed) this.out.ack({ id: f.id, revision: r.revision });
        }, failed);
        return;
      }
      case "kv.get": {
        const read =
          f.revision === undefined
            ? kv.get(principal, f.bucket, f.key)
            : kv.getAt(principal, f.bucket, f.key, f.revision);
        read.then((e) => {
          answered();
          if (!this.closed) this.out.entry(wireEntry(f.id, e));
        }, failed);
        return;
      }
    }
  }

  /** The connection is gone: answers still to come are dropped. */
  close(): void {
    this.closed = true;
  }
}

function condition(key: string, revision?: number, absent?: true): KvCompare | undefined {
  if (revision !== undefined) return { key, revision };
  if (absent) return { key, exists: false };
  return undefined;
}

function wireEntry(id: FrameId, e: KvEntry | KvEvent): WireKvEntry {
  return { id, ...resultEntry(e) };
}

function resultEntry(e: KvEntry | KvEvent): Omit<WireKvEntry, "id"> {
  return {
    key: e.key,
    revision: e.revision,
    ...("createRevision" in e ? { create_revision: e.createRevision } : {}),
    value: e.value ?? new Uint8Array(),
    ...(e.expiresAt ? { expires_at: e.expiresAt.toISOString() } : {}),
  };
}
