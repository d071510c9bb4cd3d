import * as Automerge from "@automerge/automerge";
import { concatBytes } from "./automerge-chunks.js";
import { InvalidChange } from "./docs.errors.js";
import { type DocContent, type StoredChange } from "./doc-store.js";
import { type Heads } from "./documents.js";

export type AnyDoc = Automerge.Doc<unknown>;

/** A change as received, decoded once: what is stored and what is applied. */
export type DecodedChange = StoredChange;

/** Decodes every change, or throws InvalidChange naming the first bad one (nothing is stored then). */
export function decodeChanges(changes: readonly Uint8Array[]): DecodedChange[] {
  return changes.map((bytes, i) => {
    let decoded: Automerge.DecodedChange;
    try {
      decoded = Automerge.decodeChange(bytes);
    } catch (err) {
      throw new InvalidChange(i, (err as Error).message || "not an Automerge change");
    }
    if (!decoded.hash) throw new InvalidChange(i, "the change has no hash");
    return {
      actor: decoded.actor,
      seq: decoded.seq,
      hash: decoded.hash,
      deps: decoded.deps,
      bytes,
    };
  });
}

/**
 * Rebuilds a document from its latest snapshot and the change rows after it.
 * Rows already in the snapshot (an interrupted compaction) are ignored by
 * Automerge; rows whose deps are missing stay queued inside the document and
 * are reported in `waiting` — they are durable data but not part of the heads.
 */
export function materialize(content: Pick<DocContent, "snapshot" | "changes">): {
  doc: AnyDoc;
  waiting: Set<string>;
} {
  let doc: AnyDoc = content.snapshot ? Automerge.load(content.snapshot.bytes) : Automerge.init();
  if (content.changes.length > 0) {
    [doc] = Automerge.applyChanges(
      doc,
      content.changes.map((c) => c.bytes),
    );
  }
  return { doc, waiting: waitingHashes(doc, content.changes) };
}

/**
 * The stored document as one `Automerge.load` input: the snapshot followed
 * by the change chunks after it. Loading accepts concatenated chunks (rows
 * already in the snapshot are ignored, rows with missing deps are queued),
 * so the stored rows are handed over as they are: no JavaScript document is
 * built and nothing is re-saved — for a 10 MB document that was ~0.6 s of
 * blocking work (`Automerge.load` + `Automerge.save`) before the replica's
 * own load.
 */
export function storedBytes(content: Pick<DocContent, "snapshot" | "changes">): Uint8Array {
  const parts = content.changes.map((c) => c.bytes);
  if (content.snapshot) parts.unshift(content.snapshot.bytes);
  return parts.length === 1 ? parts[0]! : concatBytes(parts);
}

/** The hashes among `changes` that the document has not applied (deps missing). */
export function waitingHashes(doc: AnyDoc, changes: readonly { hash: string }[]): Set<string> {
  const waiting = new Set<string>();
  for (const c of changes) if (!Automerge.hasHeads(doc, [c.hash])) waiting.add(c.hash);
  return waiting;
}

/** Whether the document contains every change in `heads`. */
export function hasHeads(doc: AnyDoc, heads: Heads): boolean {
  return Automerge.hasHeads(doc, [...heads]);
}

/**
 * `Automerge.save` of the document as it was at `heads` (which it must
 * have). Neither `save(view(doc, heads))` nor `clone(doc, { heads })` does
 * this in Automerge 3.5 — both save the whole document — so the past
 * document is rebuilt from the changes that are not after `heads`.
 */
export function saveAsOf(doc: AnyDoc, heads: Heads): Uint8Array {
  const hash = (c: Uint8Array) => Automerge.decodeChange(c).hash;
  const later = new Set(Automerge.getChanges(Automerge.view(doc, [...heads]), doc).map(hash));
  const upTo = Automerge.getAllChanges(doc).filter((c) => !later.has(hash(c)));
  const [past] = Automerge.applyChanges(Automerge.init(), upTo);
  return Automerge.save(past);
}
