import { type LoadedStream } from "./stream-store.js";
import { type StreamConfig, type StreamId } from "./stream.js";

interface DedupEntry {
  readonly seq: number;
  readonly ts: number;
  /** Settles when the message carrying this id is committed (or fails). */
  readonly committed: Promise<void>;
}

/**
 * The owner's in-memory view of one stream: counters including messages
 * accepted but not yet committed, and the msg ids of the dedup window.
 */
export class OwnedStream {
  lastSeq: number;
  firstSeq: number;
  messages: number;
  bytes: number;
  lastTs: number;
  lastUsed: number;
  private readonly dedup = new Map<string, DedupEntry>();

  constructor(
    readonly id: StreamId,
    public config: StreamConfig,
    loaded: LoadedStream,
    now: number,
  ) {
    this.lastSeq = loaded.lastSeq;
    this.firstSeq = loaded.firstSeq;
    this.messages = loaded.messages;
    this.bytes = loaded.bytes;
    this.lastTs = loaded.lastTs?.getTime() ?? 0;
    this.lastUsed = now;
    for (const m of loaded.recentMsgIds) {
      this.dedup.set(m.msgId, { seq: m.seq, ts: m.ts.getTime(), committed: Promise.resolve() });
    }
  }

  /** The stored message with this id inside the window, if any. */
  duplicateOf(msgId: string, now: number): DedupEntry | undefined {
    this.expireDedup(now);
    return this.dedup.get(msgId);
  }

  remember(msgId: string, seq: number, ts: number, committed: Promise<void>): void {
    this.dedup.delete(msgId);
    this.dedup.set(msgId, { seq, ts, committed });
  }

  /** A timestamp for the next message: the clock, but never behind the previous message. */
  nextTs(now: number): number {
    this.lastTs = Math.max(this.lastTs, now);
    return this.lastTs;
  }

  private expireDedup(now: number): void {
    const horizon = now - this.config.dedupWindowSeconds * 1000;
    // Insertion order is seq order, so the oldest entries come first.
    for (const [id, entry] of this.dedup) {
      if (entry.ts >= horizon) break;
      this.dedup.delete(id);
    }
  }
}
