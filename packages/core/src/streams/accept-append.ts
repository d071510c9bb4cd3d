import { assignSeqs, checkAppend, planAppend } from "./append-plan.js";
import { type OwnedStream } from "./owned-stream.js";
import { type AppendItem } from "./stream-batch.js";
import { type PendingRow, type Trim } from "./stream-store.js";
import {
  type AckLevel,
  type AppendOptions,
  type AppendResult,
  type NewMessage,
  type StreamId,
} from "./stream.js";

/** Called once with the answer to an append, or with why it failed. */
export type AppendDone = (err: Error | null, result?: AppendResult) => void;

export interface AcceptContext {
  readonly generation: number;
  readonly now: number;
  /** Whether a synchronous standby exists, i.e. whether `replicated` can be reached. */
  readonly replicationAvailable: boolean;
  readonly enqueue: (item: AppendItem) => void;
}

/**
 * Takes an append into a loaded stream, synchronously: checks it, de-
 * duplicates it, assigns its seqs and hands its rows to the group committer.
 * Throws (nothing taken) for a request that cannot succeed; otherwise `done`
 * is called once its ack level is reached (at once for `none` and `leader`).
 */
export function acceptAppend(
  st: OwnedStream,
  messages: readonly NewMessage[],
  opts: AppendOptions,
  ctx: AcceptContext,
  done: AppendDone,
): void {
  const level: AckLevel = opts.ack ?? st.config.ack;
  const now = ctx.now;
  checkAppend(st, messages, opts.expectedLastSeq);

  const plan = planAppend(st, messages, now);
  const { seqs, fresh, twinOf, waits } = plan;
  let freshBytes = 0;
  for (const k of fresh) freshBytes += messages[k]!.value.byteLength;
  if (fresh.length > 0) st.checkDiscardNew(fresh.length, freshBytes);

  const ts = fresh.length > 0 ? st.nextTs(now) : st.lastTs;
  // One Date for the rows and the answer: neither is ever changed.
  const at = new Date(ts);
  const rows = fresh.length > 0 ? assignSeqs(st, messages, plan, at) : undefined;
  for (const [k, twin] of twinOf) seqs[k]!.seq = seqs[twin]!.seq;
  st.lastUsed = now;

  const early = level === "none" || level === "leader";
  const reached = early
    ? level
    : level === "replicated" && !ctx.replicationAvailable
      ? "durable"
      : level;
  const result: AppendResult = {
    firstSeq: seqs[0]!.seq,
    lastSeq: seqs[seqs.length - 1]!.seq,
    ts: at,
    ack: reached,
    duplicate: fresh.length === 0,
    seqs,
  };
  if (rows) {
    st.messages += rows.length;
    st.bytes += freshBytes;
    const pending = new PendingAppend(ctx.generation, st, rows, freshBytes, level, result, waits);
    pending.remember(ts);
    if (!early) pending.done = done;
    ctx.enqueue(pending);
  }
  if (early || (!rows && waits.length === 0)) return done(null, result);
  // Duplicates of messages still committing are answered once their originals are durable.
  if (!rows) afterWaits(waits, result, done);
}

/** One accepted append in the group committer, until its ack level is reached. */
class PendingAppend implements AppendItem {
  readonly stream: OwnedStream;
  readonly trim: Trim | null;
  readonly replicated: boolean;
  done: AppendDone | undefined;
  private remembered: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(
    readonly generation: number,
    st: OwnedStream,
    readonly rows: PendingRow[],
    readonly bytes: number,
    level: AckLevel,
    private readonly result: AppendResult,
    private readonly waits: readonly Promise<void>[],
  ) {
    this.stream = st;
    this.replicated = level === "replicated";
    this.trim = st.takeTrim();
  }

  get streamId(): StreamId {
    return this.stream.id;
  }

  /**
   * Msg ids are remembered at once (a repeat is answered from memory) with
   * a promise that settles with the commit.
   */
  remember(ts: number): void {
    if (!this.rows.some((r) => r.msgId !== null)) return;
    const promise = new Promise<void>((resolve, reject) => (this.remembered = { resolve, reject }));
    promise.catch(() => undefined);
    for (const r of this.rows) if (r.msgId) this.stream.remember(r.msgId, r.seq, ts, promise);
  }

  settle(err: Error | null): void {
    if (this.remembered) {
      if (err) this.remembered.reject(err);
      else this.remembered.resolve();
    }
    const done = this.done;
    if (!done) return;
    this.done = undefined;
    if (err) done(err);
    else if (this.waits.length === 0) done(null, this.result);
    else afterWaits(this.waits, this.result, done);
  }
}

function afterWaits(waits: readonly Promise<void>[], result: AppendResult, done: AppendDone) {
  Promise.all(waits).then(
    () => done(null, result),
    (e: Error) => done(e),
  );
}
