import { StreamFull } from "./stream.errors.js";
import {
  type LoadedStream,
  type Removal,
  type StreamCounts,
  type Trim,
  type TrimResult,
} from "./stream-store.js";
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
  /**
   * Set when the database refused a row of this stream: rows from this seq
   * on must not land (they would follow a gap). The owner then drops this
   * object; the stream's next use loads it afresh from the database.
   */
  poisonedFrom: number | null = null;
  /**
   * False while the messages and bytes stored at load are still being
   * counted (a stream without size limits is served before that): until
   * then `messages` and `bytes` hold only what changed since the load.
   */
  countsKnown = true;
  /** Settles once the counts are known (or could not be had). */
  countsReady: Promise<void> = Promise.resolve();
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

  /** The counts of what was stored at load arrive: add them to what changed since. */
  addCounts(c: StreamCounts): void {
    this.messages += c.messages;
    this.bytes += c.bytes;
    this.countsKnown = true;
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

  /** `discard: new` refuses messages that would take the stream past a limit. */
  checkDiscardNew(n: number, bytes: number): void {
    const { maxMessages, maxBytes, discard } = this.config;
    if (discard !== "new") return;
    if (maxMessages !== null && this.messages + n > maxMessages) {
      throw new StreamFull("max_messages", maxMessages);
    }
    if (maxBytes !== null && this.bytes + bytes > maxBytes)
      throw new StreamFull("max_bytes", maxBytes);
  }

  /**
   * `discard: old`: what must go so the stream fits its limits, beyond what
   * earlier trims already asked for. Counted as gone now, so the next append
   * does not ask again; `applyTrim` corrects by what really went.
   */
  takeTrim(): Trim | null {
    const { maxMessages, maxBytes, discard } = this.config;
    if (discard !== "old") return null;
    const dropMessages = maxMessages !== null ? Math.max(0, this.messages - maxMessages) : 0;
    const dropBytes = maxBytes !== null ? Math.max(0, this.bytes - maxBytes) : 0;
    if (dropMessages === 0 && dropBytes === 0) return null;
    this.messages -= dropMessages;
    this.bytes -= dropBytes;
    return { streamId: this.id, dropMessages, dropBytes };
  }

  applyTrim(asked: Trim, done: TrimResult): void {
    this.messages += asked.dropMessages - done.messages;
    this.bytes += asked.dropBytes - done.bytes;
    this.firstSeq = Math.max(this.firstSeq, done.firstSeq);
  }

  applyRemoval(r: Removal): void {
    this.messages -= r.messages;
    this.bytes -= r.bytes;
    this.firstSeq = Math.max(this.firstSeq, r.firstSeq);
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

/** Whether appends to a stream with this config need its counts (to enforce its size limits). */
export function hasSizeLimits(config: StreamConfig): boolean {
  return config.maxMessages !== null || config.maxBytes !== null;
}
