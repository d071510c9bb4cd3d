import { createHmac } from "node:crypto";

/** Injection token of Strata's automerge-repo storage id. */
export const STRATA_STORAGE_ID = Symbol("StrataStorageId");

/**
 * Strata's automerge-repo `storageId`: the same on every node and across
 * restarts, so a client's `getRemoteHeads(storageId)` and the sync states
 * both sides keep per storage id survive reconnecting to any node. Derived
 * from the operator token, which every node of an installation shares and
 * which persists (env or data dir); shaped like the UUIDs automerge-repo
 * storages use. Rotating the token changes it, which costs each client one
 * full sync per document, nothing more.
 */
export function strataStorageId(adminToken: string): string {
  const b = createHmac("sha256", adminToken)
    .update("strata automerge-repo storage id")
    .digest()
    .subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
