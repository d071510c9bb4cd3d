import { z } from "zod";
import { resourceNameSchema } from "../common/names.js";
import { STORABLE_MESSAGE, storableText } from "../common/storable-text.js";
import {
  ACK_LEVELS,
  DEFAULT_STREAM_CONFIG,
  DISCARD_POLICIES,
  type StreamConfig,
} from "./stream.js";

export const streamNameSchema = resourceNameSchema;

const positive = (max: number) => z.number().int().min(1).max(max).nullable();

/** `PUT /v1/streams/{name}`: every field optional; omitted fields keep their value (or the default). */
export const streamConfigBody = z.strictObject({
  max_messages: positive(Number.MAX_SAFE_INTEGER).optional(),
  max_bytes: positive(Number.MAX_SAFE_INTEGER).optional(),
  max_age_seconds: positive(100 * 365 * 86400).optional(),
  max_message_bytes: positive(1024 ** 3).optional(),
  discard: z.enum(DISCARD_POLICIES).optional(),
  dedup_window_seconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86400)
    .optional(),
  ack: z.enum(ACK_LEVELS).optional(),
  tier_after_seconds: positive(100 * 365 * 86400).optional(),
  tier_min_messages: positive(Number.MAX_SAFE_INTEGER).optional(),
});
export type StreamConfigBody = z.infer<typeof streamConfigBody>;

export function applyConfigBody(base: StreamConfig, body: StreamConfigBody): StreamConfig {
  return {
    maxMessages: body.max_messages !== undefined ? body.max_messages : base.maxMessages,
    maxBytes: body.max_bytes !== undefined ? body.max_bytes : base.maxBytes,
    maxAgeSeconds: body.max_age_seconds !== undefined ? body.max_age_seconds : base.maxAgeSeconds,
    maxMessageBytes:
      body.max_message_bytes !== undefined ? body.max_message_bytes : base.maxMessageBytes,
    discard: body.discard ?? base.discard,
    dedupWindowSeconds: body.dedup_window_seconds ?? base.dedupWindowSeconds,
    ack: body.ack ?? base.ack,
    tierAfterSeconds:
      body.tier_after_seconds !== undefined ? body.tier_after_seconds : base.tierAfterSeconds,
    tierMinMessages:
      body.tier_min_messages !== undefined ? body.tier_min_messages : base.tierMinMessages,
  };
}

export function configJson(c: StreamConfig) {
  return {
    max_messages: c.maxMessages,
    max_bytes: c.maxBytes,
    max_age_seconds: c.maxAgeSeconds,
    max_message_bytes: c.maxMessageBytes,
    discard: c.discard,
    dedup_window_seconds: c.dedupWindowSeconds,
    ack: c.ack,
    tier_after_seconds: c.tierAfterSeconds,
    tier_min_messages: c.tierMinMessages,
  };
}

/** Built once: building a zod schema per catalog row cost more than the query. */
const storedConfig = streamConfigBody.partial();

/** Stored config (jsonb) back to a full StreamConfig, tolerant of fields added later. */
export function configFromJson(json: Record<string, unknown>): StreamConfig {
  const parsed = storedConfig.safeParse(json);
  return parsed.success
    ? applyConfigBody(DEFAULT_STREAM_CONFIG, parsed.data)
    : DEFAULT_STREAM_CONFIG;
}

const STORABLE = { message: STORABLE_MESSAGE };

export const headerNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { message: "must be a header token (RFC 9110)" });
export const headersSchema = z
  .record(headerNameSchema, z.string().max(8192).refine(storableText, STORABLE))
  .refine((h) => Object.keys(h).length <= 64, { message: "at most 64 headers" });

export const msgIdSchema = z.string().min(1).max(256).refine(storableText, STORABLE);

/**
 * One message in a JSON envelope: exactly one of `value_base64`, `value_text`, `value_json`.
 */
export const messageEnvelope = z
  .strictObject({
    value_base64: z.base64({ message: "must be base64" }).optional(),
    value_text: z.string().optional(),
    value_json: z.json().optional(),
    headers: headersSchema.optional(),
    msg_id: msgIdSchema.optional(),
  })
  .refine(
    (m) => [m.value_base64, m.value_text, m.value_json].filter((v) => v !== undefined).length === 1,
    { message: "give exactly one of value_base64, value_text or value_json" },
  );
export type MessageEnvelope = z.infer<typeof messageEnvelope>;

export const appendBatchBody = z.strictObject({
  messages: z.array(messageEnvelope).min(1).max(10_000),
});

export const appendQuery = z.strictObject({ ack: z.enum(ACK_LEVELS).optional() });

export const seqSchema = z.coerce
  .number({ message: "must be a sequence number" })
  .int({ message: "must be a whole number" })
  .min(1, { message: "must be at least 1" })
  .max(Number.MAX_SAFE_INTEGER);

export const readQuery = z.strictObject({
  from_seq: seqSchema.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Long-poll: wait up to this many seconds for a message when none is there. */
  wait: z.coerce.number().min(0).max(60).optional(),
});

export const deleteUpToQuery = z.strictObject({ up_to_seq: seqSchema.optional() });

export const consumerNameSchema = resourceNameSchema;
export const consumerAckBody = z.strictObject({ seq: z.number().int().min(0) });
export const consumerBody = z.strictObject({
  /** Where a new consumer starts: after this seq (default: the stream's current last seq + 0 → all). */
  acked_seq: z.number().int().min(0).optional(),
});

export const streamListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: streamNameSchema.optional(),
});

/** Decodes an envelope's value to bytes. */
export function envelopeValue(m: MessageEnvelope): Uint8Array {
  if (m.value_base64 !== undefined) return Buffer.from(m.value_base64, "base64");
  if (m.value_text !== undefined) return Buffer.from(m.value_text, "utf8");
  return Buffer.from(JSON.stringify(m.value_json), "utf8");
}
