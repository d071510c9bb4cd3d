import type * as Automerge from "@automerge/automerge";
import { Conflict, StrataError } from "../errors.js";
import { type DocRef, type DocumentId } from "../docs/documents.js";
import { type Bucket } from "../kv/kv.js";

/**
 * A bucket created with `mode: "crdt"`: its keys live in one Automerge
 * document (`documentId`, a regular document of the same tenant), as a flat
 * map at the document's root — key → bytes. Any node turns a write into an
 * Automerge change and has the document's owner make it durable; concurrent
 * changes merge (the same key: Automerge's deterministic winner).
 */
export interface CrdtBucket extends Bucket {
  readonly mode: "crdt";
  readonly documentId: DocumentId;
}

export function isCrdtBucket(b: Bucket): b is CrdtBucket {
  return b.mode === "crdt" && typeof (b as { documentId?: unknown }).documentId === "string";
}

export function crdtDocRef(b: CrdtBucket): DocRef {
  return { tenantId: b.tenantId, documentId: b.documentId };
}

/** The bucket document: the root map, key → value (bytes when written through the KV API). */
export type KvDoc = Automerge.Doc<Record<string, unknown>>;

/**
 * A value as KV readers get it: bytes as they are; what automerge-repo
 * clients may have put there instead — text as UTF-8, anything else as JSON.
 */
export function valueBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return Buffer.from(value, "utf8");
  return Buffer.from(JSON.stringify(value) ?? "null", "utf8");
}

/** CAS (If-Match, If-None-Match, compares in a txn) asked of a crdt bucket. */
export class CasUnavailableInCrdtMode extends StrataError {
  readonly code = "cas_unavailable_in_crdt_mode";
  readonly status = 409;
  constructor(bucket: string, what: string) {
    super(
      `Bucket '${bucket}' is a crdt bucket: ${what} is not available in crdt mode, where concurrent writes merge instead of being compared. Nothing was written. Use a bucket with mode "standard" for compare-and-swap.`,
    );
    this.details.bucket = bucket;
    this.details.mode = "crdt";
  }
}

/** A KV feature a crdt bucket does not have (TTL, history by revision). */
export class UnavailableInCrdtMode extends StrataError {
  readonly code = "unavailable_in_crdt_mode";
  readonly status = 400;
  constructor(bucket: string, what: string) {
    super(`Bucket '${bucket}' is a crdt bucket: ${what} is not available in crdt mode.`);
    this.details.bucket = bucket;
    this.details.mode = "crdt";
  }
}

/** `PUT /v1/kv/{bucket}` with another mode than the bucket was created with. */
export class KvModeFixed extends Conflict {
  override readonly code = "kv_mode_fixed";
  constructor(bucket: string, current: string, asked: string) {
    super(
      `Bucket '${bucket}' was created with mode '${current}'; a bucket's mode is fixed at creation, so it cannot become '${asked}'. Delete the bucket and create it again to change its mode.`,
    );
    this.details.bucket = bucket;
    this.details.mode = current;
  }
}
