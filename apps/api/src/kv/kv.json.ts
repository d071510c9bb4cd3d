import { type Bucket, isCrdtBucket, type KvEntry, type KvEvent, kvConfigJson } from "@strata/core";

const b64 = (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");

export function bucketJson(b: Bucket) {
  return {
    name: b.name,
    mode: b.mode,
    // A crdt bucket is also an Automerge document: /v1/docs/{id} and the sync endpoint open it.
    ...(isCrdtBucket(b) ? { document_id: b.documentId } : {}),
    ...kvConfigJson(b.config),
    last_revision: b.lastRevision,
    compacted_revision: b.compactedRevision,
    keys: b.keys,
    bytes: b.bytes,
    created_at: b.createdAt.toISOString(),
    updated_at: b.updatedAt.toISOString(),
  };
}

export function entryJson(e: KvEntry, withValue = true) {
  return {
    key: e.key,
    revision: e.revision,
    create_revision: e.createRevision,
    expires_at: e.expiresAt?.toISOString() ?? null,
    ...(withValue ? { value_base64: b64(e.value) } : {}),
  };
}

/** One change, as watchers and history readers get it. */
export function eventJson(e: KvEvent) {
  return {
    revision: e.revision,
    key: e.key,
    op: e.op,
    value_base64: e.value === null ? null : b64(e.value),
    expires_at: e.expiresAt?.toISOString() ?? null,
  };
}

/** `ETag` carries the revision as a strong entity tag; `If-Match` takes it back quoted or not. */
export const etag = (revision: number) => `"${revision}"`;
