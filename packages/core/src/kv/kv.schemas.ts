import { z } from "zod";
import { resourceNameSchema } from "../common/names.js";
import {
  DEFAULT_KV_CONFIG,
  KV_KEY_MAX_BYTES,
  KV_MODES,
  type KvCompare,
  type KvConfig,
  type KvTxnOp,
} from "./kv.js";

export const bucketNameSchema = resourceNameSchema;

// C0 and C1 control characters, and UTF-16 halves that cannot be encoded as UTF-8.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A key or key prefix: UTF-8 of at most 1,024 bytes, without control characters. */
const keyText = z
  .string()
  .refine((k) => !LONE_SURROGATE.test(k), { message: "must be valid UTF-8" })
  .refine((k) => !CONTROL.test(k), { message: "must not contain control characters" })
  .refine((k) => Buffer.byteLength(k, "utf8") <= KV_KEY_MAX_BYTES, {
    message: `must be at most ${KV_KEY_MAX_BYTES} bytes of UTF-8`,
  });

export const kvKeySchema = z.string().min(1, { message: "must not be empty" }).pipe(keyText);
export const kvPrefixSchema = keyText;

export const revisionSchema = z.coerce
  .number({ message: "must be a revision number" })
  .int({ message: "must be a whole number" })
  .min(1, { message: "must be at least 1" })
  .max(Number.MAX_SAFE_INTEGER);

const MAX_TTL_SECONDS = 100 * 365 * 86400;
/** `Strata-TTL` and `ttl_seconds` of a write: seconds until expiry; 0 = never (overrides the bucket default). */
export const ttlSchema = z.coerce
  .number({ message: "must be a number of seconds" })
  .int({ message: "must be a whole number of seconds" })
  .min(0)
  .max(MAX_TTL_SECONDS);

const limit = (max: number) => z.number().int().min(1).max(max).nullable();

/** `PUT /v1/kv/{bucket}`: every field optional; omitted fields keep their value (or the default). */
export const bucketConfigBody = z.strictObject({
  history: z.number().int().min(1).max(1_000_000_000).optional(),
  ttl_seconds: limit(MAX_TTL_SECONDS).optional(),
  max_value_bytes: limit(1024 ** 3).optional(),
  max_bytes: limit(Number.MAX_SAFE_INTEGER).optional(),
  /** Fixed at creation: `crdt` keeps the keys in one Automerge document (see kv-crdt). */
  mode: z.enum(KV_MODES).optional(),
});
export type BucketConfigBody = z.infer<typeof bucketConfigBody>;

export function applyKvConfigBody(base: KvConfig, body: BucketConfigBody): KvConfig {
  return {
    history: body.history ?? base.history,
    ttlSeconds: body.ttl_seconds !== undefined ? body.ttl_seconds : base.ttlSeconds,
    maxValueBytes: body.max_value_bytes !== undefined ? body.max_value_bytes : base.maxValueBytes,
    maxBytes: body.max_bytes !== undefined ? body.max_bytes : base.maxBytes,
  };
}

export function kvConfigJson(c: KvConfig) {
  return {
    history: c.history,
    ttl_seconds: c.ttlSeconds,
    max_value_bytes: c.maxValueBytes,
    max_bytes: c.maxBytes,
  };
}

/** Stored config (jsonb) back to a full KvConfig, tolerant of fields added later. */
export function kvConfigFromJson(json: Record<string, unknown>): KvConfig {
  const { mode: _mode, ...rest } = json;
  const parsed = bucketConfigBody.safeParse(rest);
  return parsed.success ? applyKvConfigBody(DEFAULT_KV_CONFIG, parsed.data) : DEFAULT_KV_CONFIG;
}

const flag = z
  .enum(["true", "false", "1", "0"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1");

export const kvListQuery = z.strictObject({
  prefix: kvPrefixSchema.optional(),
  /** Keyset cursor: the last key of the previous page. */
  after: kvKeySchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  keys_only: flag.optional(),
});
export type KvListQuery = z.infer<typeof kvListQuery>;

export const bucketListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: bucketNameSchema.optional(),
});

export const kvGetQuery = z.strictObject({ revision: revisionSchema.optional() });

export const kvHistoryQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Page backwards: only revisions below this one. */
  before_revision: revisionSchema.optional(),
});

export const kvWatchQuery = z.strictObject({
  prefix: kvPrefixSchema.optional(),
  /** First revision to deliver; omitted: only changes from now on. */
  from_revision: revisionSchema.optional(),
});

const valueFields = {
  value_base64: z.base64({ message: "must be base64" }).optional(),
  value_text: z.string().optional(),
  value_json: z.json().optional(),
};
type ValueFields = { value_base64?: string; value_text?: string; value_json?: unknown };
const valueCount = (v: ValueFields) =>
  [v.value_base64, v.value_text, v.value_json].filter((x) => x !== undefined).length;

function valueBytes(v: ValueFields): Uint8Array | undefined {
  if (v.value_base64 !== undefined) return Buffer.from(v.value_base64, "base64");
  if (v.value_text !== undefined) return Buffer.from(v.value_text, "utf8");
  if (v.value_json !== undefined) return Buffer.from(JSON.stringify(v.value_json), "utf8");
  return undefined;
}

const txnCompare = z
  .strictObject({
    key: kvKeySchema,
    /** The key's current revision; 0 = the key must not exist. */
    revision: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    exists: z.boolean().optional(),
    ...valueFields,
  })
  .refine((c) => valueCount(c) <= 1, {
    message: "give at most one of value_base64, value_text or value_json",
  })
  .refine((c) => c.revision !== undefined || c.exists !== undefined || valueCount(c) === 1, {
    message: "give revision, exists or a value to compare",
  });

const txnPut = z
  .strictObject({
    op: z.literal("put"),
    key: kvKeySchema,
    ...valueFields,
    ttl_seconds: ttlSchema.optional(),
  })
  .refine((o) => valueCount(o) === 1, {
    message: "give exactly one of value_base64, value_text or value_json",
  });
const txnDelete = z.strictObject({ op: z.literal("delete"), key: kvKeySchema });

/** `POST /v1/kv/{bucket}/txn`: if every compare holds, every write lands, with one revision. */
export const kvTxnBody = z
  .strictObject({
    compare: z.array(txnCompare).max(1000).default([]),
    success: z
      .array(z.union([txnPut, txnDelete]))
      .min(1)
      .max(1000),
  })
  .refine((t) => new Set(t.success.map((o) => o.key)).size === t.success.length, {
    path: ["success"],
    message: "a key may be written only once per transaction",
  });
export type KvTxnBody = z.infer<typeof kvTxnBody>;

/** The body's compares and writes as the owner takes them. */
export function txnFromBody(body: KvTxnBody): { compares: KvCompare[]; ops: KvTxnOp[] } {
  const compares = body.compare.map((c) => {
    const value = valueBytes(c);
    return {
      key: c.key,
      ...(c.revision !== undefined ? { revision: c.revision } : {}),
      ...(c.exists !== undefined ? { exists: c.exists } : {}),
      ...(value !== undefined ? { value } : {}),
    };
  });
  const ops = body.success.map((o): KvTxnOp =>
    o.op === "put"
      ? { op: "put", key: o.key, value: valueBytes(o)!, ttlSeconds: o.ttl_seconds }
      : { op: "delete", key: o.key },
  );
  return { compares, ops };
}
