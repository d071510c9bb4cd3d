import { type Brand } from "../common/brand.js";
import { type TenantId } from "../tenants/tenant.js";

export type StreamId = Brand<number, "StreamId">;

/** How far an append must get before it is answered; the answer says which level was reached. */
export const ACK_LEVELS = ["none", "leader", "durable", "replicated"] as const;
export type AckLevel = (typeof ACK_LEVELS)[number];

export const DISCARD_POLICIES = ["old", "new"] as const;
export type DiscardPolicy = (typeof DISCARD_POLICIES)[number];

/** Per-stream limits and defaults; null means unlimited. */
export interface StreamConfig {
  readonly maxMessages: number | null;
  readonly maxBytes: number | null;
  readonly maxAgeSeconds: number | null;
  readonly maxMessageBytes: number | null;
  readonly discard: DiscardPolicy;
  readonly dedupWindowSeconds: number;
  readonly ack: AckLevel;
  /** Tiering: move messages older than this to the object store (null: the node's default). */
  readonly tierAfterSeconds: number | null;
  /** Tiering: only once this many are that old (null: the node's default). */
  readonly tierMinMessages: number | null;
}

export const DEFAULT_STREAM_CONFIG: StreamConfig = {
  maxMessages: null,
  maxBytes: null,
  maxAgeSeconds: null,
  maxMessageBytes: null,
  discard: "old",
  dedupWindowSeconds: 120,
  ack: "durable",
  tierAfterSeconds: null,
  tierMinMessages: null,
};

/** A stream's catalog entry with its counters. `firstSeq > lastSeq` means empty. */
export interface Stream {
  readonly id: StreamId;
  readonly tenantId: TenantId;
  readonly name: string;
  readonly config: StreamConfig;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly messages: number;
  readonly bytes: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type Headers = Readonly<Record<string, string>>;

/** A stored message as readers see it. */
export interface Message {
  readonly seq: number;
  readonly ts: Date;
  readonly headers: Headers | null;
  readonly value: Uint8Array;
  readonly msgId: string | null;
}

/** One message a client wants appended. */
export interface NewMessage {
  readonly value: Uint8Array;
  readonly headers?: Headers | null;
  readonly msgId?: string | null;
}

export interface AppendOptions {
  /** Fail with 409 unless the stream's last seq is this (0 = empty stream). */
  readonly expectedLastSeq?: number;
  readonly ack?: AckLevel;
}

/** The answer to an append (one message or a whole batch). */
export interface AppendResult {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly ts: Date;
  /** Level actually reached: may be lower than asked for `replicated` without a sync standby. */
  readonly ack: AckLevel;
  /** True when every message was a duplicate of one already stored (by msg id). */
  readonly duplicate: boolean;
  /** Per message: the seq it got and whether it was a duplicate. */
  readonly seqs: readonly { seq: number; duplicate: boolean }[];
}
