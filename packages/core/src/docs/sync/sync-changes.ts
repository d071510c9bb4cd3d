import { type Chunk, CHUNK_TYPE, splitChunks } from "../automerge-chunks.js";
import { StrataError } from "../../errors.js";
import { InvalidChange } from "../docs.errors.js";
import { type DocRef } from "../documents.js";
import {
  changeHash,
  type DecodedSyncMessage,
  decodeSyncMessage,
  encodeSyncMessage,
  loadRawDoc,
  type RawDoc,
} from "./raw-automerge.js";
import { MalformedRepoMessage } from "./repo-messages.js";
import { type SyncContext } from "./sync-context.js";

/**
 * The changes a peer's sync message brings that `doc` does not have yet.
 * An entry of a sync message's `changes` is not always one change: protocol
 * v2 sends runs of changes as one document chunk, possibly followed by more
 * chunks. Such entries are loaded (missing dependencies allowed: they are in
 * `doc`) and expanded into changes, so storage always receives changes.
 */
export function newChangesOf(doc: RawDoc, message: DecodedSyncMessage): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [i, entry] of message.changes.entries()) {
    try {
      const chunks = chunksOf(entry);
      if (chunks && chunks.every((c) => c.type !== CHUNK_TYPE.document)) {
        for (const c of chunks) {
          if (doc.getChangeMetaByHash(changeHash(c.bytes)) == null) out.push(c.bytes);
        }
        continue;
      }
      const theirs = loadRawDoc(entry, { allowMissingDeps: true });
      try {
        out.push(...doc.getChangesAdded(theirs));
      } finally {
        theirs.free();
      }
    } catch (err) {
      throw new InvalidChange(i, (err as Error).message || "undecodable");
    }
  }
  return out;
}

function chunksOf(entry: Uint8Array): Chunk[] | null {
  try {
    return splitChunks(entry);
  } catch {
    return null;
  }
}

/**
 * The same message without its changes: what is left updates the peer's
 * sync state (their heads, need, have) once the changes themselves are in
 * the replica — through storage, never straight from the peer.
 */
export function withoutChanges(message: DecodedSyncMessage): Uint8Array {
  return encodeSyncMessage({ ...message, changes: [] });
}

/** A reply to a peer whose changes are not accepted: asks for none of them, so it stops sending. */
export function withoutNeed(reply: Uint8Array): Uint8Array {
  const decoded = decodeSyncMessage(reply);
  if (decoded.need.length === 0) return reply;
  return encodeSyncMessage({ ...decoded, need: [] });
}

/** A peer's `sync`/`request` payload, decoded; MalformedRepoMessage when it is not one. */
export function decodeFromPeer(
  m: { type: string; data: Uint8Array },
  documentId: string,
): DecodedSyncMessage {
  try {
    return decodeSyncMessage(m.data);
  } catch (err) {
    throw new MalformedRepoMessage(
      `The ${m.type} message for document ${documentId} is not an Automerge sync message: ${(err as Error).message}`,
    );
  }
}

/**
 * Stores a peer's changes through the documents port, retrying what storage
 * says is worth retrying (an owner moving). "refused": storage will not take
 * them (too large, conflicting, deleted); the document is unavailable to the
 * peer. Bytes that do not decode, or storage down for good, throw.
 */
export async function storeChanges(
  ctx: SyncContext,
  ref: DocRef,
  changes: Uint8Array[],
  create: boolean,
  abandoned: () => boolean,
): Promise<"stored" | "refused" | "abandoned"> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.docs.applyChanges(ref, changes, { create });
      return "stored";
    } catch (err) {
      if (abandoned()) return "abandoned";
      if (err instanceof InvalidChange) throw err;
      if (err instanceof StrataError && !err.retryable) {
        ctx.log.warn(
          { documentId: ref.documentId, code: err.code, err: err.message },
          "document sync: changes refused",
        );
        return "refused";
      }
      if (attempt >= ctx.limits.applyAttempts) throw err;
      await new Promise((r) => setTimeout(r, 50 * 4 ** attempt));
    }
  }
}
