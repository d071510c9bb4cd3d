import { type Clock } from "../common/clock.js";
import { type OwnedStream } from "./owned-stream.js";
import { type StreamRef } from "./owner-ports.js";
import { type MessageLog, type Removal } from "./stream-store.js";

/** What removals need from the StreamOwner: its loaded streams and its write-failure handling. */
export interface RemovalHost {
  /** The stream as this node serves it (claimed and loaded if needed). */
  open(ref: StreamRef): Promise<OwnedStream>;
  /** The streams loaded now. */
  loaded(): Iterable<OwnedStream>;
  /** The owner's generation, bumped whenever a failed write drops every loaded stream. */
  generation(): number;
  /** The error to report for a failed write; fails `generation` if it is still the current one. */
  onWriteError(err: unknown, generation: number): Error;
}

/**
 * Deletes and age retention, run as the owner: fenced by this node's id, with
 * their effect applied to the loaded counters. A failed delete fails the
 * generation just as a failed append commit does.
 */
export class StreamRemovals {
  constructor(
    private readonly log: MessageLog,
    private readonly clock: Clock,
    /** This node; its id changes when it rejoins as a new incarnation. */
    private readonly node: { readonly id: string },
    private readonly host: RemovalHost,
  ) {}

  async deleteOne(ref: StreamRef, seq: number): Promise<boolean> {
    const r = await this.removal(ref, () => this.log.deleteOne(this.node.id, ref.id, seq));
    return r !== null;
  }

  async deleteUpTo(ref: StreamRef, upToSeq: number): Promise<Removal> {
    const r = await this.removal(ref, () => this.log.deleteUpTo(this.node.id, ref.id, upToSeq));
    return r!;
  }

  async purge(ref: StreamRef): Promise<Removal> {
    const st = await this.host.open(ref);
    return this.deleteUpTo(ref, st.lastSeq);
  }

  /** Age retention for the loaded streams that have `max_age_seconds`. */
  async expireOld(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const st of [...this.host.loaded()]) {
      if (st.config.maxAgeSeconds === null) continue;
      await st.countsReady;
      const before = new Date(now - st.config.maxAgeSeconds * 1000);
      const r = await this.log
        .deleteOlderThan(this.node.id, st.id, before)
        .catch((err: unknown) => {
          this.host.onWriteError(err, this.host.generation());
          return null;
        });
      if (r) st.applyRemoval(r);
    }
  }

  /** Runs a fenced delete as the owner and applies its effect to the loaded counters. */
  private async removal(
    ref: StreamRef,
    op: () => Promise<Removal | null>,
  ): Promise<Removal | null> {
    const st = await this.host.open(ref);
    // A removal counted before the load's count ran would be subtracted twice.
    await st.countsReady;
    const generation = this.host.generation();
    try {
      const r = await op();
      if (r) st.applyRemoval(r);
      return r;
    } catch (err) {
      throw this.host.onWriteError(err, generation);
    }
  }
}
