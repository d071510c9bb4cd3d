import { type DocRef } from "../documents.js";
import {
  decodeSyncState,
  encodeSyncState,
  initSyncState,
  type RawSyncState,
} from "./raw-automerge.js";
import { type SyncContext } from "./sync-context.js";

/**
 * One peer's Automerge sync state for one document, persisted per
 * (document, peer storage id) when the peer has its own storage: a client
 * that reconnects up to date then exchanges one small message each way
 * instead of bloom filters over the whole history. Only the shared heads
 * survive encoding, which is all a reconnect needs. Writes are throttled
 * (`syncStateSaveMs`) and skipped when nothing changed.
 */
export class PeerSyncState {
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly ctx: SyncContext,
    private readonly ref: DocRef,
    /** null: an ephemeral peer or one without storage; nothing is persisted. */
    private readonly storageId: string | null,
    readonly state: RawSyncState,
    private saved: Uint8Array | null,
  ) {}

  static async open(
    ctx: SyncContext,
    ref: DocRef,
    storageId: string | null,
    stored: boolean,
  ): Promise<PeerSyncState> {
    if (storageId && stored) {
      try {
        const bytes = await ctx.docs.loadSyncState(ref, storageId);
        if (bytes) return new PeerSyncState(ctx, ref, storageId, decodeSyncState(bytes), bytes);
      } catch (err) {
        ctx.log.warn({ documentId: ref.documentId, err }, "sync state not loaded");
      }
    }
    return new PeerSyncState(ctx, ref, storageId, initSyncState(), null);
  }

  /** The state moved; `stored`: the document exists in storage (a sync state row needs it). */
  changed(stored: () => boolean): void {
    if (!this.storageId || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (stored()) this.save();
    }, this.ctx.limits.syncStateSaveMs);
    this.timer.unref?.();
  }

  /** Saves one last time (when `stored`) and frees the state. */
  async close(stored: boolean): Promise<void> {
    clearTimeout(this.timer);
    if (stored) this.save();
    await this.saving;
    this.state.free();
  }

  private save(): void {
    const storageId = this.storageId;
    if (!storageId) return;
    const bytes = encodeSyncState(this.state);
    if (this.saved && sameBytes(this.saved, bytes)) return;
    this.saved = bytes;
    const { docs, log } = this.ctx;
    const ref = this.ref;
    this.saving = this.saving
      .then(() => docs.saveSyncState(ref, storageId, bytes))
      .catch((err: unknown) =>
        log.warn({ documentId: ref.documentId, err }, "sync state not saved"),
      );
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((v, i) => v === b[i]);
}
