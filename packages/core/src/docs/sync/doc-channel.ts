import { type DocRef, type DocumentId, type EphemeralRelay } from "../documents.js";
import { type DocReplica, type ReplicaListener } from "./doc-replica.js";
import { encodeHeads, sameHeads } from "./heads-codec.js";
import { PeerSyncState } from "./peer-sync-state.js";
import { type EphemeralFromPeer, type SyncOrRequest } from "./repo-messages.js";
import { type ChannelOwner } from "./sync-context.js";
import {
  decodeFromPeer,
  newChangesOf,
  storeChanges,
  withoutChanges,
  withoutNeed,
} from "./sync-changes.js";

type Inbound = SyncOrRequest | EphemeralFromPeer;

const MAX_BATCH = 32;

/**
 * One peer syncing one document: its Automerge sync state and its inbox,
 * handled in order. Changes the peer sends are stored first (`applyChanges`)
 * and only then merged into the shared replica and answered, so the reply —
 * whose heads the peer records as Strata's — acknowledges durable changes.
 */
export class DocChannel implements ReplicaListener {
  private state: "opening" | "open" | "closed" = "opening";
  private replica: DocReplica | null = null;
  private sync: PeerSyncState | null = null;
  private readonly inbox: { message: Inbound; bytes: number }[] = [];
  private running = false;
  private dirty = false;
  private flushQueued = false;
  private readOnlyPeer = false;
  private headsAnnounced: string[] | null = null;
  /** Heads of the last sync message actually sent to the peer (null: none yet). */
  private headsTold: string[] | null = null;
  private headsTimestamp = 0;

  constructor(
    private readonly owner: ChannelOwner,
    readonly documentId: DocumentId,
  ) {}

  get peerId(): string {
    return this.owner.peerId;
  }

  // A getter, so checks after an await are not narrowed away by the compiler.
  private get closed(): boolean {
    return this.state === "closed";
  }

  get ref(): DocRef {
    return { tenantId: this.owner.access.tenantId, documentId: this.documentId };
  }

  enqueue(message: Inbound, bytes: number): void {
    if (this.state === "closed") return this.owner.consumed(bytes);
    this.inbox.push({ message, bytes });
    if (!this.running) void this.run();
  }

  // ---- ReplicaListener ----

  changed(): void {
    if (this.state !== "open") return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    if (this.flushQueued) return;
    this.flushQueued = true;
    // Coalesces a burst of changes into one sync message per peer.
    setImmediate(() => {
      this.flushQueued = false;
      if (this.running) this.dirty = true;
      else this.flush();
    });
  }

  ephemeral(m: EphemeralRelay): void {
    if (this.state !== "open") return;
    // Presence is best effort: a peer that is behind does not need stale cursors.
    if (this.owner.bufferedBytes > this.owner.ctx.limits.ephemeralHighWaterBytes) return;
    this.owner.send({
      type: "ephemeral",
      senderId: m.senderId,
      targetId: this.peerId,
      documentId: this.documentId,
      sessionId: m.sessionId,
      count: m.count,
      data: m.data,
    });
  }

  gone(): void {
    this.unavailable();
  }

  /** The peer (re)subscribed to Strata's storage id: send the current heads. */
  subscribed(): void {
    this.headsAnnounced = null;
    if (this.state === "open") this.announceHeads();
  }

  /** Detaches from the replica; saves the sync state one last time. */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    const wasOpen = this.state === "open";
    this.state = "closed";
    for (const { bytes } of this.inbox.splice(0)) this.owner.consumed(bytes);
    const replica = this.replica;
    this.replica = null;
    const sync = this.sync;
    this.sync = null;
    const stored = wasOpen && !!replica?.exists;
    if (replica) this.owner.ctx.replicas.release(replica, this);
    this.owner.channelClosed(this);
    await sync?.close(stored);
  }

  // ---- inbox ----

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.inbox.length > 0 && this.state !== "closed") {
        if (this.state === "opening") {
          await this.open(this.inbox[0]!.message);
          continue;
        }
        const first = this.inbox[0]!;
        if (first.message.type === "ephemeral") {
          this.inbox.shift();
          this.relay(first.message);
          this.owner.consumed(first.bytes);
          continue;
        }
        let n = 1;
        while (
          n < this.inbox.length &&
          n < MAX_BATCH &&
          this.inbox[n]!.message.type !== "ephemeral"
        )
          n++;
        const batch = this.inbox.splice(0, n);
        try {
          await this.process(batch.map((b) => b.message as SyncOrRequest));
        } finally {
          for (const b of batch) this.owner.consumed(b.bytes);
        }
      }
    } catch (err) {
      this.owner.fail(err);
    } finally {
      this.running = false;
      if (this.dirty) this.flush();
    }
  }

  private async open(first: Inbound): Promise<void> {
    const { access, ctx } = this.owner;
    if (!access.canRead(this.documentId)) return this.unavailable();
    const replica = await ctx.replicas.acquire(this.ref);
    if (this.closed) return ctx.replicas.release(replica);
    this.replica = replica;
    if (!replica.exists) {
      // A client's `repo.create()` uploads with `sync`; `request` means "do you have it?".
      const creating =
        first.type === "sync" &&
        access.canWrite(this.documentId) &&
        decodeFromPeer(first, this.documentId).heads.length > 0;
      if (!creating) return this.unavailable();
    }
    const m = this.owner.metadata;
    const storageId = m.storageId && !m.isEphemeral ? m.storageId : null;
    const sync = await PeerSyncState.open(ctx, this.ref, storageId, replica.exists);
    if (this.closed) return sync.close(false);
    this.sync = sync;
    replica.listeners.add(this);
    this.state = "open";
    if (this.owner.subscribedToUs) this.announceHeads();
  }

  private async process(batch: SyncOrRequest[]): Promise<void> {
    const replica = this.replica!;
    const decoded = batch.map((m) => decodeFromPeer(m, this.documentId));
    const writable = this.owner.access.canWrite(this.documentId);
    const changes: Uint8Array[] = [];
    for (const d of decoded) {
      if (d.changes.length === 0) continue;
      if (writable) changes.push(...newChangesOf(replica.doc, d));
      else this.readOnlyPeer = true;
    }
    if (changes.length > 0) {
      if (!(await this.store(replica, changes))) return;
      replica.applyDurable(changes);
    }
    if (this.state !== "open") return;
    // The replica has the peer's changes now (stored, then merged), so receiving the message
    // whole only updates the sync state — and with its changes in it, Automerge knows our heads
    // moved and answers with them: the acknowledgement. A read-only peer's changes are not taken.
    batch.forEach((m, i) =>
      replica.doc.receiveSyncMessage(
        this.sync!.state,
        writable ? m.data : withoutChanges(decoded[i]!),
      ),
    );
    this.flush();
  }

  /** Makes the changes durable; false when the document turned out unavailable. */
  private async store(replica: DocReplica, changes: Uint8Array[]): Promise<boolean> {
    const outcome = await storeChanges(
      this.owner.ctx,
      this.ref,
      changes,
      !replica.exists,
      () => this.closed,
    );
    if (outcome === "refused") this.unavailable();
    return outcome === "stored" && !this.closed;
  }

  private relay(m: EphemeralFromPeer): void {
    const replica = this.replica;
    if (this.state !== "open" || !replica) return;
    this.owner.ctx.replicas.relayEphemeral(replica, this, {
      senderId: m.senderId,
      sessionId: m.sessionId,
      count: m.count,
      data: m.data,
      originNode: this.owner.ctx.replicas.nodeId,
    });
  }

  // ---- outgoing ----

  private flush(): void {
    this.dirty = false;
    const replica = this.replica;
    if (this.state !== "open" || !replica || !this.sync) return;
    if (this.owner.bufferedBytes > this.owner.ctx.limits.syncHighWaterBytes) {
      this.dirty = true;
      return this.owner.waitForDrain(this);
    }
    const message = this.generate(replica, this.sync.state);
    if (message) {
      this.headsTold = replica.heads;
      this.owner.send({
        type: "sync",
        senderId: this.owner.ctx.server.peerId,
        targetId: this.peerId,
        documentId: this.documentId,
        data: this.readOnlyPeer ? withoutNeed(message) : message,
      });
    }
    if (this.owner.subscribedToUs) this.announceHeads();
    this.sync.changed(() => replica.exists);
  }

  /**
   * The next sync message, and always one when the peer has not been told the current heads.
   * Automerge answers message by message: receiving a message without changes whose heads
   * equal ours marks our heads as sent (the peer has them). When a batch folds several
   * messages, the earlier ones' changes move our heads to the last one's before it is
   * received, so the reply carrying them was never sent, and the peer's view of Strata's
   * heads (its durable acknowledgement) would stay behind for good. Resetting the
   * bookkeeping to what was really sent makes Automerge send them.
   */
  private generate(replica: DocReplica, state: PeerSyncState["state"]): Uint8Array | null {
    const message = replica.doc.generateSyncMessage(state);
    if (message || replica.heads.length === 0) return message;
    if (this.headsTold && sameHeads(this.headsTold, replica.heads)) return null;
    state.lastSentHeads = this.headsTold ?? [];
    return replica.doc.generateSyncMessage(state);
  }

  /** `remote-heads-changed` for Strata's storage id: the heads that are stored. */
  private announceHeads(): void {
    const replica = this.replica!;
    if (!replica.exists) return;
    if (this.headsAnnounced && sameHeads(this.headsAnnounced, replica.heads)) return;
    this.headsAnnounced = replica.heads;
    // automerge-repo ignores an update whose timestamp is not newer than the last one.
    this.headsTimestamp = Math.max(Date.now(), this.headsTimestamp + 1);
    const { server } = this.owner.ctx;
    this.owner.send({
      type: "remote-heads-changed",
      senderId: server.peerId,
      targetId: this.peerId,
      documentId: this.documentId,
      newHeads: {
        [server.storageId]: { heads: encodeHeads(replica.heads), timestamp: this.headsTimestamp },
      },
    });
  }

  private unavailable(): void {
    if (this.state === "closed") return;
    this.owner.send({
      type: "doc-unavailable",
      senderId: this.owner.ctx.server.peerId,
      targetId: this.peerId,
      documentId: this.documentId,
    });
    void this.close();
  }
}
