import {
  type AckEntry,
  type AckLevel,
  type AppendResult,
  ExceedsQuota,
  Forbidden,
  type FrameId,
  type NewMessage,
  NotFound,
  type Principal,
  StrataError,
  type StreamsService,
  TooManyRequests,
  Unauthenticated,
} from "@strata/core";
import { TooManyInFlight } from "./ws-errors.js";
import { type WsLimits } from "./ws-limits.js";

/** One append request of a client: a single message, a batch, or a reassembled chunked value. */
export interface AppendUnit {
  readonly id: FrameId;
  readonly messages: readonly NewMessage[];
  readonly bytes: number;
  readonly ack?: AckLevel;
  readonly expectedLastSeq?: number;
}

export interface AppendOutcome {
  ack(entry: AckEntry): void;
  error(id: FrameId, err: unknown): void;
}

interface Lane {
  readonly stream: string;
  readonly queue: AppendUnit[];
  busy: boolean;
  scheduled: boolean;
}

/**
 * The appends of one connection. Frames are never awaited one by one. When
 * the stream is served and loaded here (the steady state), an append is
 * handed to the owner at once and gets its seq before the next frame is read
 * (StreamsService.tryAppend); the answer follows its commit. Otherwise it is
 * queued on its stream's lane and the connection reads on. A lane sends
 * everything queued on it as one call to the owner (one stream lookup, one
 * group-commit item), with one call in flight per lane; while a lane exists
 * its stream's appends join it, so a client's pipelined appends to one stream
 * get seqs in the order it sent them, while different streams proceed in
 * parallel.
 *
 * A call carrying several requests is all or nothing for the owner, so when
 * it fails for a reason that may concern only some of them (too large, stream
 * full), each request is retried alone and gets its own answer. Failures that
 * concern them all (unknown stream, no access, a retryable commit failure)
 * are answered to each at once.
 */
export class AppendPipeline {
  private readonly lanes = new Map<string, Lane>();
  private units = 0;
  private bytes = 0;
  private closed = false;

  constructor(
    private readonly streams: StreamsService,
    private readonly principal: Principal,
    private readonly limits: WsLimits,
    private readonly out: AppendOutcome,
  ) {}

  get inFlight(): number {
    return this.units;
  }

  /** Queues `unit`; throws TooManyInFlight (nothing queued) past the connection's limits. */
  submit(stream: string, unit: AppendUnit): void {
    if (this.units >= this.limits.maxInFlightAppends) {
      throw new TooManyInFlight("appends", this.limits.maxInFlightAppends);
    }
    if (this.units > 0 && this.bytes + unit.bytes > this.limits.maxInFlightBytes) {
      throw new TooManyInFlight("bytes of appended values", this.limits.maxInFlightBytes);
    }
    this.units++;
    this.bytes += unit.bytes;
    let lane = this.lanes.get(stream);
    if (!lane && this.tryNow(stream, unit)) return;
    if (!lane)
      this.lanes.set(stream, (lane = { stream, queue: [], busy: false, scheduled: false }));
    lane.queue.push(unit);
    if (!lane.busy && !lane.scheduled) {
      // Wait for the rest of this read: frames that arrived together go out together.
      lane.scheduled = true;
      setImmediate(() => {
        lane.scheduled = false;
        this.pump(lane);
      });
    }
  }

  /** The fast path: true when the owner took (or refused) the unit without waiting. */
  private tryNow(stream: string, unit: AppendUnit): boolean {
    try {
      // The unit carries its options (ack, expectedLastSeq) itself.
      return this.streams.tryAppend(this.principal, stream, unit.messages, unit, (err, result) => {
        this.release(unit);
        if (err) this.fail(unit, err);
        else this.answer([unit], result!);
      });
    } catch (err) {
      this.release(unit);
      this.fail(unit, err);
      return true;
    }
  }

  private release(unit: AppendUnit): void {
    this.units--;
    this.bytes -= unit.bytes;
  }

  /** The connection is gone: answers still to come are dropped. */
  close(): void {
    this.closed = true;
    this.lanes.clear();
  }

  private pump(lane: Lane): void {
    if (this.closed || lane.busy) return;
    // Once the stream is loaded the lane's backlog goes the fast way, in order, and the lane ends.
    while (lane.queue.length > 0 && this.tryNow(lane.stream, lane.queue[0]!)) lane.queue.shift();
    if (lane.queue.length === 0) {
      this.lanes.delete(lane.stream);
      return;
    }
    lane.busy = true;
    void this.run(lane, this.take(lane)).finally(() => {
      lane.busy = false;
      this.pump(lane);
    });
  }

  /** The longest prefix of the queue that can share one call (same options, within bounds). */
  private take(lane: Lane): AppendUnit[] {
    const first = lane.queue[0]!;
    let n = 1;
    let messages = first.messages.length;
    let bytes = first.bytes;
    if (first.expectedLastSeq === undefined) {
      for (; n < lane.queue.length; n++) {
        const next = lane.queue[n]!;
        if (next.expectedLastSeq !== undefined || next.ack !== first.ack) break;
        messages += next.messages.length;
        bytes += next.bytes;
        if (messages > this.limits.coalesceMessages || bytes > this.limits.coalesceBytes) break;
      }
    }
    return lane.queue.splice(0, n);
  }

  private async run(lane: Lane, batch: AppendUnit[]): Promise<void> {
    try {
      this.answer(batch, await this.call(lane.stream, batch));
    } catch (err) {
      if (batch.length > 1 && concernsSome(err)) {
        for (const unit of batch) {
          try {
            this.answer([unit], await this.call(lane.stream, [unit]));
          } catch (one) {
            this.fail(unit, one);
          }
        }
      } else {
        for (const unit of batch) this.fail(unit, err);
      }
    } finally {
      for (const unit of batch) this.release(unit);
    }
  }

  private call(stream: string, batch: readonly AppendUnit[]): Promise<AppendResult> {
    const first = batch[0]!;
    const messages = batch.length === 1 ? first.messages : batch.flatMap((u) => u.messages);
    return this.streams.append(this.principal, stream, messages, {
      expectedLastSeq: first.expectedLastSeq,
      ack: first.ack,
    });
  }

  private answer(batch: readonly AppendUnit[], result: AppendResult): void {
    if (this.closed) return;
    const ts = isoTime(result.ts);
    if (batch.length === 1) {
      const { firstSeq, lastSeq, duplicate, ack } = result;
      const id = batch[0]!.id;
      this.out.ack({
        id,
        seq: lastSeq,
        first_seq: firstSeq,
        last_seq: lastSeq,
        ts,
        ack,
        duplicate,
      });
      return;
    }
    let offset = 0;
    for (const unit of batch) {
      const seqs = result.seqs.slice(offset, offset + unit.messages.length);
      offset += unit.messages.length;
      const last = seqs[seqs.length - 1]!.seq;
      this.out.ack({
        id: unit.id,
        seq: last,
        first_seq: seqs[0]!.seq,
        last_seq: last,
        ts,
        ack: result.ack,
        duplicate: seqs.every((s) => s.duplicate),
      });
    }
  }

  private fail(unit: AppendUnit, err: unknown): void {
    if (!this.closed) this.out.error(unit.id, err);
  }
}

let lastMs = Number.NaN;
let lastIso = "";

/** `toISOString`, remembered for the last millisecond: acks of one commit share their time. */
function isoTime(d: Date): string {
  const ms = d.getTime();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = d.toISOString();
  }
  return lastIso;
}

/**
 * Errors that may hold for some requests of a shared call and not for others
 * (a quota refusing the whole may admit some of its parts).
 */
function concernsSome(err: unknown): boolean {
  if (err instanceof TooManyRequests || err instanceof ExceedsQuota) return true;
  if (!(err instanceof StrataError) || err.retryable) return false;
  return !(err instanceof NotFound || err instanceof Forbidden || err instanceof Unauthenticated);
}
