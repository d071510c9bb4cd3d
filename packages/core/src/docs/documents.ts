/**
 * The contract between the documents capability (storage, owner, REST,
 * compaction) and the automerge-repo sync endpoint. The sync endpoint keeps
 * per-peer sync sessions on the node the peer is connected to; every change a
 * peer sends is made durable by the document's owner (through this port)
 * before the endpoint acknowledges it, and every durable change reaches every
 * node's sessions through `watch`.
 */

/** An automerge-repo document id: bs58check of 16 bytes (no `automerge:` prefix). */
export type DocumentId = string & { readonly __brand: "DocumentId" };

/** A document as its tenant knows it. Every operation is scoped by tenant. */
export interface DocRef {
  readonly tenantId: string;
  readonly documentId: DocumentId;
}

/** Change hashes in hex, sorted: what `Automerge.getHeads` returns. */
export type Heads = readonly string[];

/** Changes that became durable, published to every node by the owner after commit. */
export interface DurableChanges {
  readonly ref: DocRef;
  /** Raw Automerge changes (`Automerge.getChanges` / `decodeChange` format), in causal order. */
  readonly changes: readonly Uint8Array[];
  /** Durable heads after these changes. */
  readonly heads: Heads;
}

/**
 * Delivered to a watcher instead of changes when events may have been lost
 * (bus reconnect, owner change): reload the document with `load`.
 */
export const DOC_RESYNC = Symbol.for("strata.docs.resync");

export interface DocumentsForSync {
  /**
   * The durable document and its stored heads, or null when the tenant has
   * no such document (the endpoint then answers `doc-unavailable`). `bytes`
   * is what `Automerge.load` takes: the latest snapshot followed by the
   * change chunks stored after it (see `storedBytes`).
   */
  load(ref: DocRef): Promise<{ readonly bytes: Uint8Array; readonly heads: Heads } | null>;

  /**
   * Makes `changes` durable (committed in Postgres by the document's owner,
   * fenced) and returns the durable heads afterwards. Changes already stored
   * are ignored, so retries are safe. With `create`, a missing document is
   * created (a client's `repo.create()` uploads with `sync`); without it a
   * missing document throws NotFound. Throws a StrataError for bytes that do
   * not decode or a document over its size limit.
   */
  applyChanges(
    ref: DocRef,
    changes: readonly Uint8Array[],
    opts: { readonly create: boolean },
  ): Promise<{ readonly heads: Heads }>;

  /** Listens for durable changes of one document from any node. Resolves once active. */
  watch(
    ref: DocRef,
    listener: (event: DurableChanges | typeof DOC_RESYNC) => void,
  ): Promise<() => void>;

  /** Persisted Automerge sync state for (document, remote storage id), or null. */
  loadSyncState(ref: DocRef, peerStorageId: string): Promise<Uint8Array | null>;
  saveSyncState(ref: DocRef, peerStorageId: string, state: Uint8Array): Promise<void>;

  /** Ephemeral (presence) relay between the peers of a document on all nodes; never stored. */
  publishEphemeral(ref: DocRef, message: EphemeralRelay): void;
  watchEphemeral(ref: DocRef, listener: (message: EphemeralRelay) => void): Promise<() => void>;
}

/** An automerge-repo `ephemeral` message on its way to the document's other peers. */
export interface EphemeralRelay {
  readonly senderId: string;
  readonly sessionId: string;
  readonly count: number;
  readonly data: Uint8Array;
  /** The node that published it, so a node does not echo its own peers' messages twice. */
  readonly originNode: string;
}
