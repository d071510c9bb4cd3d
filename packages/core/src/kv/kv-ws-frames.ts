import { z } from "zod";
import {
  frameIdSchema,
  type FrameId,
  hasOneValue,
  oneValueMessage,
  subIdSchema,
  type SubId,
  valueFields,
} from "../streams/ws-frame-fields.js";
import { type KvOp } from "./kv.js";
import { bucketNameSchema, kvKeySchema, kvPrefixSchema, ttlSchema } from "./kv.schemas.js";

/**
 * KV frames of `/v1/ws` (docs/protocol.md, "KV over the WebSocket"). Puts,
 * deletes and gets may be pipelined: the server never waits for one answer
 * before reading the next frame, and answers travel coalesced (`kv.acks`,
 * `kv.entries`), as stream appends do.
 */

const revision = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * Compare-and-swap as over REST: `if_revision` is `If-Match: <revision>`,
 * `if_absent: true` is `If-None-Match: *` (create-only).
 */
const conditions = {
  if_revision: revision.optional(),
  if_absent: z.literal(true).optional(),
};
const notBoth = (f: { if_revision?: number; if_absent?: true }) =>
  f.if_revision === undefined || f.if_absent === undefined;
const notBothMessage = {
  message: "give at most one of if_revision and if_absent",
  path: ["if_absent"],
};

/** What a put says, in a `kv.put` frame or a `kv.put_batch` entry. */
const putFields = {
  key: kvKeySchema,
  ...valueFields,
  /** Seconds until expiry; 0 = never (overrides the bucket default). */
  ttl_seconds: ttlSchema.optional(),
  ...conditions,
};

export const kvPutFrame = z
  .strictObject({
    type: z.literal("kv.put"),
    id: frameIdSchema,
    bucket: bucketNameSchema,
    ...putFields,
  })
  .refine(hasOneValue, oneValueMessage)
  .refine(notBoth, notBothMessage);

/** Most entries (keys) in one `kv.put_batch` / `kv.get_batch`. */
export const KV_BATCH_MAX = 1000;

const kvBatchPutEntry = z
  .strictObject(putFields)
  .refine(hasOneValue, oneValueMessage)
  .refine(notBoth, notBothMessage);

/**
 * Independent puts to one bucket in one frame: each entry gets its own
 * revision (in entry order) and its own outcome — not a transaction (that is
 * `POST …/txn`). Answered by one `kv.results` frame.
 */
export const kvPutBatchFrame = z.strictObject({
  type: z.literal("kv.put_batch"),
  id: frameIdSchema,
  bucket: bucketNameSchema,
  entries: z.array(kvBatchPutEntry).min(1).max(KV_BATCH_MAX),
});

/** Several keys' live values in one frame, answered by one `kv.results` frame in key order. */
export const kvGetBatchFrame = z.strictObject({
  type: z.literal("kv.get_batch"),
  id: frameIdSchema,
  bucket: bucketNameSchema,
  keys: z.array(kvKeySchema).min(1).max(KV_BATCH_MAX),
});

export const kvDeleteFrame = z.strictObject({
  type: z.literal("kv.delete"),
  id: frameIdSchema,
  bucket: bucketNameSchema,
  key: kvKeySchema,
  if_revision: revision.optional(),
});

/** The key's live value; with `revision`, its value as of that revision (history). */
export const kvGetFrame = z.strictObject({
  type: z.literal("kv.get"),
  id: frameIdSchema,
  bucket: bucketNameSchema,
  key: kvKeySchema,
  revision: revision.optional(),
});

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
  from_revision: revision.optional(),
});

export type KvPutFrame = z.infer<typeof kvPutFrame>;
export type KvDeleteFrame = z.infer<typeof kvDeleteFrame>;
export type KvGetFrame = z.infer<typeof kvGetFrame>;
export type KvWatchFrame = z.infer<typeof kvWatchFrame>;
export type KvPutBatchFrame = z.infer<typeof kvPutBatchFrame>;
export type KvGetBatchFrame = z.infer<typeof kvGetBatchFrame>;
export type KvRequestFrame =
  KvPutFrame | KvDeleteFrame | KvGetFrame | KvPutBatchFrame | KvGetBatchFrame;

// Server → client.

/** One KV change; `value` on puts only, `expires_at` (ISO 8601) only when the key has a TTL. */
export interface WireKvEvent {
  readonly revision: number;
  readonly key: string;
  readonly op: KvOp;
  readonly value?: Uint8Array;
  readonly expires_at?: string;
}

/** A completed `kv.put` / `kv.delete`: the revision the write got. */
export interface KvAckEntry {
  readonly id: FrameId;
  readonly revision: number;
}

/** The answer to a `kv.get`; `create_revision` only for the live value (not a history read). */
export interface WireKvEntry {
  readonly id: FrameId;
  readonly key: string;
  readonly revision: number;
  readonly create_revision?: number;
  readonly value: Uint8Array;
  readonly expires_at?: string;
}

/** Why one entry of a batch failed: the fields of an `error` frame. */
export interface WireKvError {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly retryable: boolean;
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * One entry's outcome in `kv.results`, in the request's order: a put's
 * `revision`; a get's entry (or `missing: true`); or the entry's `error`.
 */
export type WireKvResult =
  | { readonly revision: number }
  | Omit<WireKvEntry, "id">
  | { readonly key: string; readonly missing: true }
  | { readonly error: WireKvError };

export type KvServerFrame =
  | {
      readonly type: "kv.results";
      readonly id: FrameId;
      /** A large answer comes in parts: where this part's results start, of `total`. */
      readonly offset: number;
      readonly total: number;
      readonly results: readonly WireKvResult[];
    }
  | { readonly type: "kv.acks"; readonly acks: readonly KvAckEntry[] }
  | { readonly type: "kv.entries"; readonly entries: readonly WireKvEntry[] }
  | {
      readonly type: "kv.watching";
      readonly id: FrameId;
      readonly sub: SubId;
      readonly next_revision: number;
    }
  | { readonly type: "kv.events"; readonly sub: SubId; readonly events: readonly WireKvEvent[] }
  /** A KV watch paused on a full socket; it resumes from `next_revision`. */
  | { readonly type: "slow_consumer"; readonly sub: SubId; readonly next_revision: number };
