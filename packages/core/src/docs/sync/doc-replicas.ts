import {
  DOC_RESYNC,
  type DocRef,
  type DocumentsForSync,
  type DurableChanges,
  type EphemeralRelay,
} from "../documents.js";
import { DocReplica, type ReplicaListener } from "./doc-replica.js";
import { loadRawDocYielding, type RawDoc } from "./raw-automerge.js";

interface Entry {
  readonly replica: DocReplica;
  ready: Promise<void>;
  unwatch: (() => void)[];
  reloading: boolean;
  /** Watch events that arrived while loading; applied once the load is in. */
  buffered: (DurableChanges | typeof DOC_RESYNC)[] | null;
}

const RELOAD_RETRY_MS = 1000;

/**
 * This node's document replicas, one per document that at least one peer
 * is syncing here, counted by the peers using it and dropped with the last.
 * Each replica follows storage through `watch` (changes committed through
 * any node) and reloads on `DOC_RESYNC`.
 */
export class DocReplicas {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly docs: DocumentsForSync,
    /** This node's id, so ephemeral messages it published are not relayed twice. */
    readonly nodeId: string,
    private readonly onError: (err: unknown, ref: DocRef) => void = () => {},
  ) {}

  get loaded(): number {
    return this.entries.size;
  }

  /** Bytes of the stored documents as loaded (a lower bound of their memory). */
  get loadedBytes(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.replica.loadedBytes;
    return total;
  }

  async acquire(ref: DocRef): Promise<DocReplica> {
    const key = keyOf(ref);
    let entry = this.entries.get(key);
    if (!entry) {
      const replica = new DocReplica(ref);
      const fresh: Entry = {
        replica,
        ready: Promise.resolve(),
        unwatch: [],
        reloading: false,
        buffered: [],
      };
      fresh.ready = this.open(fresh);
      this.entries.set(key, fresh);
      entry = fresh;
    }
    entry.replica.refs++;
    try {
      await entry.ready;
    } catch (err) {
      this.release(entry.replica);
      throw err;
    }
    return entry.replica;
  }

  release(replica: DocReplica, listener?: ReplicaListener): void {
    if (listener) replica.listeners.delete(listener);
    if (--replica.refs > 0) return;
    const key = keyOf(replica.ref);
    const entry = this.entries.get(key);
    if (entry?.replica !== replica) return;
    this.entries.delete(key);
    void entry.ready
      .catch(() => {})
      .then(() => {
        for (const stop of entry.unwatch) stop();
        replica.free();
      });
  }

  /** Relays a peer's ephemeral message to the document's other peers, here and on other nodes. */
  relayEphemeral(replica: DocReplica, from: ReplicaListener, message: EphemeralRelay): void {
    if (!replica.admitEphemeral(message)) return;
    replica.deliverEphemeral(message, from);
    this.docs.publishEphemeral(replica.ref, message);
  }

  private async open(entry: Entry): Promise<void> {
    const { replica } = entry;
    const ref = replica.ref;
    entry.unwatch.push(await this.docs.watch(ref, (event) => this.onEvent(entry, event)));
    entry.unwatch.push(
      await this.docs.watchEphemeral(ref, (m) => {
        if (m.originNode === this.nodeId || !replica.admitEphemeral(m)) return;
        replica.deliverEphemeral(m);
      }),
    );
    try {
      replica.reset(...(await loadStored(this.docs, ref)));
    } catch (err) {
      for (const stop of entry.unwatch) stop();
      throw err;
    }
    this.drain(entry);
  }

  private onEvent(entry: Entry, event: DurableChanges | typeof DOC_RESYNC): void {
    if (entry.buffered) {
      entry.buffered.push(event);
      return;
    }
    if (event === DOC_RESYNC) {
      this.reload(entry);
      return;
    }
    try {
      entry.replica.applyDurable(event.changes);
    } catch (err) {
      this.onError(err, entry.replica.ref);
      this.reload(entry);
    }
  }

  private drain(entry: Entry): void {
    const events = entry.buffered ?? [];
    entry.buffered = null;
    for (const e of events) this.onEvent(entry, e);
  }

  /** Events may have been lost: load the durable document again (buffering events meanwhile). */
  private reload(entry: Entry): void {
    if (entry.reloading) return;
    entry.reloading = true;
    entry.buffered = [];
    const attempt = (): void => {
      if (this.entries.get(keyOf(entry.replica.ref)) !== entry) return;
      loadStored(this.docs, entry.replica.ref).then(
        ([stored, loaded]) => {
          if (this.entries.get(keyOf(entry.replica.ref)) !== entry) return loaded?.free();
          entry.reloading = false;
          entry.replica.reset(stored, loaded);
          this.drain(entry);
        },
        (err: unknown) => {
          this.onError(err, entry.replica.ref);
          setTimeout(attempt, RELOAD_RETRY_MS).unref?.();
        },
      );
    };
    attempt();
  }
}

/**
 * The stored document, loaded without blocking the node for the whole load.
 * Watch events meanwhile are buffered by the caller and applied afterwards.
 */
async function loadStored(
  docs: DocumentsForSync,
  ref: DocRef,
): Promise<[{ bytes: Uint8Array } | null, RawDoc | null]> {
  const stored = await docs.load(ref);
  return [stored, stored ? await loadRawDocYielding(stored.bytes) : null];
}

function keyOf(ref: DocRef): string {
  return `${ref.tenantId}/${ref.documentId}`;
}
