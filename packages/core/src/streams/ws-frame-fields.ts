import { z } from "zod";

/**
 * Fields shared by the frames of `/v1/ws` (streams, KV, …): ids, and values
 * that travel as raw binary in msgpack frames and as `value_base64` or
 * `value_text` in JSON frames.
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

export const binary = z.instanceof(Uint8Array, {
  message: "must be binary (a msgpack bin); JSON frames use value_base64 or value_text",
});

/** Exactly one of `value` (binary), `value_base64`, `value_text`. */
export const valueFields = {
  value: binary.optional(),
  value_base64: z.base64({ message: "must be base64" }).optional(),
  value_text: z.string().optional(),
};
export type ValueFields = { value?: Uint8Array; value_base64?: string; value_text?: string };
export const hasOneValue = (f: ValueFields) =>
  [f.value, f.value_base64, f.value_text].filter((v) => v !== undefined).length === 1;
export const oneValueMessage = {
  message: "give exactly one of value, value_base64 or value_text",
  path: ["value"],
};

/** The bytes of a frame or batch entry that passed `oneValue`. */
export function frameValue(f: ValueFields): Uint8Array {
  if (f.value !== undefined) return f.value;
  if (f.value_base64 !== undefined) return Buffer.from(f.value_base64, "base64");
  return Buffer.from(f.value_text ?? "", "utf8");
}
