import { storableText } from "../common/storable-text.js";
import { ACK_LEVELS } from "./stream.js";
import { type AppendFrame } from "./ws-frames.js";

/**
 * Hand-written checks for the frames clients send at high rates, beside
 * their zod schemas (ws-frames.ts), which stay the source of truth. Each
 * check returns the frame only when the zod schema would accept it and give
 * an equal value, and undefined for anything else — anything unusual, not
 * only what is invalid — so the caller falls back to the zod schema, which
 * also words the error. fast-frames.spec.ts holds them equal with fast-check.
 * (Building and running a zod union per frame cost more than the append.)
 */

const APPEND_KEYS = new Set([
  "type",
  "id",
  "stream",
  "value",
  "value_base64",
  "value_text",
  "headers",
  "msg_id",
  "expected_last_seq",
  "ack",
]);
const NAME = /^[A-Za-z0-9._-]+$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const ACKS: ReadonlySet<unknown> = new Set(ACK_LEVELS);

/** The `append` frame, or undefined (ask `appendFrame`). */
export function fastAppendFrame(raw: unknown): AppendFrame | undefined {
  if (!isPlainObject(raw)) return undefined;
  let values = 0;
  let required = 0;
  for (const key in raw) {
    if (!APPEND_KEYS.has(key)) return undefined;
    const v = raw[key];
    switch (key) {
      case "type":
        if (v !== "append") return undefined;
        required++;
        break;
      case "id":
        if (!isFrameId(v)) return undefined;
        required++;
        break;
      case "stream":
        if (!isName(v)) return undefined;
        required++;
        break;
      case "value":
        if (!(v instanceof Uint8Array)) return undefined;
        values++;
        break;
      case "value_text":
        if (typeof v !== "string") return undefined;
        values++;
        break;
      case "headers":
        if (!isHeaders(v)) return undefined;
        break;
      case "msg_id":
        if (!isMsgId(v)) return undefined;
        break;
      case "expected_last_seq":
        if (!isSeqOrZero(v)) return undefined;
        break;
      case "ack":
        if (!ACKS.has(v)) return undefined;
        break;
      default:
        // value_base64: zod checks the encoding.
        return undefined;
    }
  }
  return required === 3 && values === 1 ? (raw as unknown as AppendFrame) : undefined;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** frameIdSchema: a string of 1–128 characters or a non-negative safe integer. */
export function isFrameId(v: unknown): boolean {
  if (typeof v === "string") return v.length >= 1 && v.length <= 128;
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** resourceNameSchema. */
export function isName(v: unknown): v is string {
  return typeof v === "string" && v.length >= 1 && v.length <= 255 && NAME.test(v);
}

function isMsgId(v: unknown): boolean {
  return typeof v === "string" && v.length >= 1 && v.length <= 256 && storableText(v);
}

function isSeqOrZero(v: unknown): boolean {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** headersSchema, and text the database can store. */
function isHeaders(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  let n = 0;
  for (const name in v) {
    if (++n > 64) return false;
    if (name.length > 128 || !HEADER_NAME.test(name)) return false;
    const value = v[name];
    if (typeof value !== "string" || value.length > 8192 || !storableText(value)) return false;
  }
  return true;
}
