import { z } from "zod";
import {
  type KvServerFrame,
  kvDeleteFrame,
  kvGetBatchFrame,
  kvGetFrame,
  kvPutBatchFrame,
  kvPutFrame,
  kvWatchFrame,
} from "../kv/kv-ws-frames.js";
import { ACK_LEVELS, type AckLevel } from "./stream.js";
import {
  consumerNameSchema,
  headersSchema,
  msgIdSchema,
  streamNameSchema,
} from "./stream.schemas.js";
import {
  frameIdSchema,
  hasOneValue,
  oneValueMessage,
  subIdSchema,
  valueFields,
  type FrameId,
  type SubId,
} from "./ws-frame-fields.js";

/**
 * Frames of the streams WebSocket protocol (`/v1/ws`, docs/protocol.md).
 * One schema serves both encodings: msgpack frames carry values as raw
 * binary (`value`), JSON frames as `value_base64` or `value_text`; the
 * server answers in the encoding the connection chose.
 */

export {
  frameIdSchema,
  frameValue,
  subIdSchema,
  WS_SUBPROTOCOLS,
  type FrameId,
  type SubId,
  type WsSubprotocol,
} from "./ws-frame-fields.js";

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

export const CLIENT_FRAME_TYPES = [
  "append",
  "append_batch",
  "append_chunk",
  "subscribe",
  "unsubscribe",
  "consumer_ack",
  "ping",
  "kv.watch",
  "kv.put",
  "kv.delete",
  "kv.get",
  "kv.put_batch",
  "kv.get_batch",
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
    kvPutFrame,
    kvDeleteFrame,
    kvGetFrame,
    kvPutBatchFrame,
    kvGetBatchFrame,
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
export {
  type KvAckEntry,
  type KvDeleteFrame,
  type KvGetFrame,
  type KvPutFrame,
  type KvRequestFrame,
  type KvWatchFrame,
  type WireKvEntry,
  type WireKvEvent,
  type KvGetBatchFrame,
  type KvPutBatchFrame,
  type WireKvError,
  type WireKvResult,
  KV_BATCH_MAX,
  kvDeleteFrame,
  kvGetBatchFrame,
  kvGetFrame,
  kvPutBatchFrame,
  kvPutFrame,
  kvWatchFrame,
} from "../kv/kv-ws-frames.js";

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
      /** `rate_limited`: how long to wait before the same request may succeed. */
      readonly retry_after_ms?: number;
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
  | KvServerFrame;
