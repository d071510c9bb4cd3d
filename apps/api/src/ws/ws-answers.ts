import {
  type AckEntry,
  type FrameId,
  type KvAckEntry,
  type ServerFrame,
  type WireKvEntry,
  type WireKvResult,
} from "@strata/core";

/**
 * Answers completed in the same turn of the event loop leave together: one
 * `acks`, one `kv.acks` and one `kv.entries` frame (split by value bytes)
 * per turn, instead of a frame per request (one frame per append costs about
 * a quarter of the throughput). A batch frame's `kv.results` leave in the
 * same flush, split by value bytes too (`offset` says where a part starts).
 */
export class CoalescedAnswers {
  private acks: AckEntry[] = [];
  private kvAcks: KvAckEntry[] = [];
  private kvEntries: WireKvEntry[] = [];
  private kvResults: { id: FrameId; results: WireKvResult[] }[] = [];
  private timer: NodeJS.Immediate | undefined;

  constructor(
    private readonly send: (frame: ServerFrame) => void,
    private readonly maxFrameBytes: number,
  ) {}

  ack(entry: AckEntry): void {
    this.acks.push(entry);
    this.schedule();
  }

  kvAck(entry: KvAckEntry): void {
    this.kvAcks.push(entry);
    this.schedule();
  }

  kvEntry(entry: WireKvEntry): void {
    this.kvEntries.push(entry);
    this.schedule();
  }

  kvResult(id: FrameId, results: WireKvResult[]): void {
    this.kvResults.push({ id, results });
    this.schedule();
  }

  /** Sends what is due now (before an error, so answers arrive in the order they happened). */
  flush(): void {
    clearImmediate(this.timer);
    this.timer = undefined;
    const { acks, kvAcks, kvEntries, kvResults } = this;
    if (acks.length > 0) {
      this.acks = [];
      this.send({ type: "acks", acks });
    }
    if (kvAcks.length > 0) {
      this.kvAcks = [];
      this.send({ type: "kv.acks", acks: kvAcks });
    }
    if (kvEntries.length > 0) {
      this.kvEntries = [];
      for (const entries of byFrame(kvEntries, this.maxFrameBytes))
        this.send({ type: "kv.entries", entries });
    }
    if (kvResults.length > 0) {
      this.kvResults = [];
      for (const { id, results } of kvResults) {
        let offset = 0;
        for (const part of byFrame(results, this.maxFrameBytes)) {
          this.send({ type: "kv.results", id, offset, total: results.length, results: part });
          offset += part.length;
        }
      }
    }
  }

  /** The connection is gone: nothing more is sent. */
  clear(): void {
    clearImmediate(this.timer);
    this.timer = undefined;
    this.acks = [];
    this.kvAcks = [];
    this.kvEntries = [];
    this.kvResults = [];
  }

  private schedule(): void {
    this.timer ??= setImmediate(() => this.flush());
  }
}

/** Splits answers so that a frame carries about `max` value bytes at most (one large value alone). */
function byFrame<T extends object>(entries: readonly T[], max: number): T[][] {
  const frames: T[][] = [[]];
  let bytes = 0;
  for (const e of entries) {
    const size = "value" in e ? (e.value as Uint8Array).byteLength : 0;
    if (bytes + size > max && frames.at(-1)!.length > 0) {
      frames.push([]);
      bytes = 0;
    }
    frames.at(-1)!.push(e);
    bytes += size;
  }
  return frames;
}
