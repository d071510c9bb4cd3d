import { type DocInfo, documentUrl, type Heads } from "@strata/core";

export function docJson(d: DocInfo) {
  return {
    document_id: d.documentId,
    url: documentUrl(d.documentId),
    heads: d.heads,
    changes: d.changes,
    change_bytes: d.changeBytes,
    bytes: d.bytes,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
  };
}

/** Heads in a response header: comma-separated, as `?heads=` takes them. */
export const headsHeader = (heads: Heads) => heads.join(",");

export const asBuffer = (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
