import { type DocRef, type EphemeralRelay } from "../documents.js";
import { sameHeads } from "./heads-codec.js";
import { createRawDoc, type RawDoc } from "./raw-automerge.js";

/** A peer's view of one document (its DocChannel), as the replica sees it. */
export interface ReplicaListener {
  readonly peerId: string | null;
  /** The replica's heads moved: generate a sync message for the peer. */
  changed(): void;
  /** Another peer's ephemeral message for this document. */
  ephemeral(message: EphemeralRelay): void;
  /** The document was deleted: tell the peer it is unavailable. */
  gone(): void;
}

const MAX_EPHEMERAL_SOURCES = 1024;

/**
 * The one in-memory copy of a document on this node, shared by every peer
 * syncing it here. It holds durable changes only — the ones storage
 * committed (applied by the session that sent them once `applyChanges`
 * resolved, or delivered by `watch`) — so any heads Strata advertises are
 * stored heads.
 */
export class DocReplica {
  doc: RawDoc = createRawDoc();
  /** False until storage has the document: a peer may be creating it. */
  exists = false;
  heads: string[] = [];
  /** Stored size when loaded, for memory accounting. */
  loadedBytes = 0;
  refs = 0;
  readonly listeners = new Set<ReplicaListener>();
  // Ephemeral messages travel peer → Strata → peers, and clients forward what they
  // receive to their other peers: (sender, session) → highest count seen stops the echo.
  private readonly seen = new Map<string, number>();

  constructor(readonly ref: DocRef) {}

  /**
   * Replaces the content with what storage holds (null: no such document),
   * given as `loaded`: `stored.bytes` loaded with `loadRawDocYielding`.
   */
  reset(stored: { bytes: Uint8Array } | null, loaded: RawDoc | null): void {
    const next = loaded ?? createRawDoc();
    this.doc.free();
    this.doc = next;
    const wasThere = this.exists;
    this.exists = stored !== null;
    this.loadedBytes = stored?.bytes.byteLength ?? 0;
    this.heads = next.getHeads();
    if (wasThere && !this.exists) for (const l of [...this.listeners]) l.gone();
    else this.notify();
  }

  /** Merges durable changes (idempotent); tells the peers when the heads moved. */
  applyDurable(changes: readonly Uint8Array[]): void {
    this.exists = true;
    if (changes.length === 0) return;
    this.doc.applyChanges([...changes]);
    const heads = this.doc.getHeads();
    if (sameHeads(heads, this.heads)) return;
    this.heads = heads;
    this.notify();
  }

  /** Whether an ephemeral message is new (not an echo of one already relayed). */
  admitEphemeral(m: { senderId: string; sessionId: string; count: number }): boolean {
    const source = `${m.senderId}:${m.sessionId}`;
    const last = this.seen.get(source);
    if (last !== undefined && m.count <= last) return false;
    this.seen.delete(source);
    this.seen.set(source, m.count);
    if (this.seen.size > MAX_EPHEMERAL_SOURCES) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }

  /** Hands an ephemeral message to every peer here but its sender and `except`. */
  deliverEphemeral(message: EphemeralRelay, except?: ReplicaListener): void {
    for (const l of this.listeners) {
      if (l !== except && l.peerId !== message.senderId) l.ephemeral(message);
    }
  }

  free(): void {
    this.listeners.clear();
    this.doc.free();
  }

  private notify(): void {
    for (const l of this.listeners) l.changed();
  }
}
