import { z } from "zod";
import { type KvOp } from "../kv/kv.js";
import { bucketNameSchema, kvPrefixSchema } from "../kv/kv.schemas.js";
import { ACK_LEVELS, type AckLevel } from "./stream.js";
import {
  consumerNameSchema,
  headersSchema,
  msgIdSchema,
  streamNameSchema,
} from "./stream.schemas.js";

/**
 * Frames of the streams WebSocket protocol (`/v1/ws`, docs/protocol.md).
 * One schema serves both encodings: msgpack frames carry values as raw
 * binary (`value`), JSON frames as `value_base64` or `value_text`; the
 * server answers in the encoding the connection chose.
 */

export const WS_SUBPROTOCOLS = { json: "strata.v1.json", msgpack: "strata.v1.msgpack" } as const;
export type WsSubprotocol = (typeof WS_SUBPROTOCOLS)[keyof typeof WS_SUBPROTOCOLS];

/** A client-chosen correlation id, echoed back: a short string or a non-negative integer. */
export const frameIdSchema = z.union(
  [z.string().min(1).max(128), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)],
  { error: "must be a string of 1–128 characters or a non-negative integer" },
);
export type FrameId = z.infer<typeof frameIdSchema>;

/** A client-chosen subscription id, unique among the connection's live subscriptions. */
export const subIdSchema = frameIdSchema;
export type SubId = FrameId;

const binary = z.instanceof(Uint8Array, {
  message: "must be binary (a msgpack bin); JSON frames use value_base64 or value_text",
});

/** Exactly one of `value` (binary), `value_base64`, `value_text`. */
const valueFields = {
  value: binary.optional(),
  value_base64: z.base64({ message: "must be base64" }).optional(),
  value_text: z.string().optional(),
};
type ValueFields = { value?: Uint8Array; value_base64?: string; value_text?: string };
const hasOneValue = (f: ValueFields) =>
  [f.value, f.value_base64, f.value_text].filter((v) => v !== undefined).length === 1;
const oneValueMessage = {
  message: "give exactly one of value, value_base64 or value_text",
  path: ["value"],
};

const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const lastSeq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ack = z.enum(ACK_LEVELS).optional();

export const wsMessageSchema = z.strictObject({
  ...valueFields,
  headers: headersSchema.optional(),
  msg_id: msgIdSchema.optional(),
});

export const appendFrame = z
  .strictObject({
    type: z.literal("append"),
    id: frameIdSchema,
    stream: streamNameSchema,
    ...valueFields,
    headers: headersSchema.optional(),
    msg_id: msgIdSchema.optional(),
    expected_last_seq: lastSeq.optional(),
    ack,
  })
  .refine(hasOneValue, oneValueMessage);

/** All or nothing, like `POST …/messages` with `{messages: […]}`. */
export const appendBatchFrame = z.strictObject({
  type: z.literal("append_batch"),
  id: frameIdSchema,
  stream: streamNameSchema,
  messages: z.array(wsMessageSchema.refine(hasOneValue, oneValueMessage)).min(1).max(10_000),
  expected_last_seq: lastSeq.optional(),
  ack,
});

/**
 * One piece of a value too large for one frame. Pieces of one message share
 * `id` and `stream`, count `index` up from 0 and end with `last: true`;
 * headers, msg id and options are read from index 0.
 */
export const appendChunkFrame = z
  .strictObject({
    type: z.literal("append_chunk"),
    id: frameIdSchema,
    stream: streamNameSchema,
    index: z.number().int().min(0).max(1_000_000),
    last: z.boolean(),
    ...valueFields,
    headers: headersSchema.optional(),
    msg_id: msgIdSchema.optional(),
    expected_last_seq: lastSeq.optional(),
    ack,
  })
  .refine(hasOneValue, oneValueMessage);

export const subscribeFrame = z.strictObject({
  type: z.literal("subscribe"),
  id: frameIdSchema,
  sub: subIdSchema,
  stream: streamNameSchema,
  from_seq: seq.optional(),
  consumer: consumerNameSchema.optional(),
});

export const unsubscribeFrame = z.strictObject({
  type: z.literal("unsubscribe"),
  id: frameIdSchema,
  sub: subIdSchema,
});

export const consumerAckFrame = z.strictObject({
  type: z.literal("consumer_ack"),
  id: frameIdSchema,
  stream: streamNameSchema,
  consumer: consumerNameSchema,
  seq: lastSeq,
});

export const pingFrame = z.strictObject({ type: z.literal("ping"), id: frameIdSchema });

/**
 * Watches a KV bucket's changes from `from_revision` (omitted: from now on),
 * keys filtered by `prefix`. Shares `sub` ids, the subscription limit and
 * `unsubscribe` with stream subscriptions.
 */
export const kvWatchFrame = z.strictObject({
  type: z.literal("kv.watch"),
  id: frameIdSchema,
  sub: subIdSchema,
  bucket: bucketNameSchema,
  prefix: kvPrefixSchema.optional(),
  from_revision: seq.optional(),
});

export const CLIENT_FRAME_TYPES = [
  "append",
  "append_batch",
  "append_chunk",
  "subscribe",
  "unsubscribe",
  "consumer_ack",
  "ping",
  "kv.watch",
] as const;

export const clientFrameSchema = z.discriminatedUnion(
  "type",
  [
    appendFrame,
    appendBatchFrame,
    appendChunkFrame,
    subscribeFrame,
    unsubscribeFrame,
    consumerAckFrame,
    pingFrame,
    kvWatchFrame,
  ],
  {
    error: (issue) =>
      issue.code === "invalid_union"
        ? `must be one of: ${CLIENT_FRAME_TYPES.join(", ")}`
        : undefined,
  },
);
export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type AppendFrame = z.infer<typeof appendFrame>;
export type AppendBatchFrame = z.infer<typeof appendBatchFrame>;
export type AppendChunkFrame = z.infer<typeof appendChunkFrame>;
export type SubscribeFrame = z.infer<typeof subscribeFrame>;
export type UnsubscribeFrame = z.infer<typeof unsubscribeFrame>;
export type ConsumerAckFrame = z.infer<typeof consumerAckFrame>;
export type KvWatchFrame = z.infer<typeof kvWatchFrame>;

/** The bytes of a frame or batch entry that passed `oneValue`. */
export function frameValue(f: ValueFields): Uint8Array {
  if (f.value !== undefined) return f.value;
  if (f.value_base64 !== undefined) return Buffer.from(f.value_base64, "base64");
  return Buffer.from(f.value_text ?? "", "utf8");
}

// Server → client. Values are binary here; the JSON encoding sends them as `value_base64`.

/** One completed append; `seq` = `last_seq` (the only seq of a single message). */
export interface AckEntry {
  readonly id: FrameId;
  readonly seq: number;
  readonly first_seq: number;
  readonly last_seq: number;
  /** ISO 8601 commit timestamp of the message(s). */
  readonly ts: string;
  /** Level reached, which may be lower than asked (`replicated` without a standby). */
  readonly ack: AckLevel;
  /** Every message of the append was already stored (same msg id inside the window). */
  readonly duplicate: boolean;
}

export interface WireMessage {
  readonly seq: number;
  readonly ts: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly msg_id: string | null;
  readonly value: Uint8Array;
}

/** One KV change; `value` on puts only, `expires_at` (ISO 8601) only when the key has a TTL. */
export interface WireKvEvent {
  readonly revision: number;
  readonly key: string;
  readonly op: KvOp;
  readonly value?: Uint8Array;
  readonly expires_at?: string;
}

export type ServerFrame =
  | { readonly type: "acks"; readonly acks: readonly AckEntry[] }
  | {
      readonly type: "error";
      readonly id?: FrameId;
      readonly sub?: SubId;
      readonly code: string;
      readonly status: number;
      readonly message: string;
      readonly retryable: boolean;
      readonly details?: Readonly<Record<string, unknown>>;
    }
  | {
      readonly type: "subscribed";
      readonly id: FrameId;
      readonly sub: SubId;
      readonly next_seq: number;
    }
  | { readonly type: "msgs"; readonly sub: SubId; readonly msgs: readonly WireMessage[] }
  | {
      readonly type: "msg_chunk";
      readonly sub: SubId;
      readonly seq: number;
      readonly index: number;
      readonly last: boolean;
      readonly value: Uint8Array;
      /** Index 0 only: the message's metadata and total value size. */
      readonly ts?: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly msg_id?: string | null;
      readonly size?: number;
    }
  | { readonly type: "slow_consumer"; readonly sub: SubId; readonly next_seq: number }
  | { readonly type: "unsubscribed"; readonly id: FrameId; readonly sub: SubId }
  | {
      readonly type: "consumer_acked";
      readonly id: FrameId;
      readonly stream: string;
      readonly consumer: string;
      readonly acked_seq: number;
    }
  | { readonly type: "pong"; readonly id: FrameId }
  | {
      readonly type: "kv.watching";
      readonly id: FrameId;
      readonly sub: SubId;
      readonly next_revision: number;
    }
  | { readonly type: "kv.events"; readonly sub: SubId; readonly events: readonly WireKvEvent[] }
  /** A KV watch paused on a full socket; it resumes from `next_revision`. */
  | { readonly type: "slow_consumer"; readonly sub: SubId; readonly next_revision: number };
