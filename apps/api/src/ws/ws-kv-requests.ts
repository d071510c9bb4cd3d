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
  type WireKvEntry,
} from "@strata/core";
import { TooManyInFlight } from "./ws-errors.js";
import { type WsLimits } from "./ws-limits.js";

/** Where the answers of a connection's KV requests go. */
export interface KvAnswers {
  /** A completed put or delete; answers of one tick leave in one `kv.acks` frame. */
  ack(entry: KvAckEntry): void;
  /** A completed get; answers of one tick leave in one `kv.entries` frame. */
  entry(entry: WireKvEntry): void;
  error(id: FrameId, err: unknown): void;
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
  ) {}

  get pending(): number {
    return this.inFlight;
  }

  /** Starts the request; throws TooManyInFlight (nothing started) past the connection's limit. */
  submit(f: KvRequestFrame): void {
    if (this.inFlight >= this.limits.maxInFlightKv) {
      throw new TooManyInFlight("KV requests", this.limits.maxInFlightKv);
    }
    this.inFlight++;
    const answered = () => this.inFlight--;
    const failed = (err: unknown) => {
      this.inFlight--;
      if (!this.closed) this.out.error(f.id, err);
    };
    const { principal, kv } = this;
    switch (f.type) {
      case "kv.put": {
        const compare = condition(f.key, f.if_revision, f.if_absent);
        const opts = { ttlSeconds: f.ttl_seconds, compare };
        kv.put(principal, f.bucket, f.key, frameValue(f), opts).then((r) => {
          answered();
          if (!this.closed) this.out.ack({ id: f.id, revision: r.revision });
        }, failed);
        return;
      }
      case "kv.delete": {
        const compare = condition(f.key, f.if_revision);
        kv.delete(principal, f.bucket, f.key, compare).then((r) => {
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
  return {
    id,
    key: e.key,
    revision: e.revision,
    ...("createRevision" in e ? { create_revision: e.createRevision } : {}),
    value: e.value ?? new Uint8Array(),
    ...(e.expiresAt ? { expires_at: e.expiresAt.toISOString() } : {}),
  };
}
