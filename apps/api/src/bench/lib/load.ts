import { Histogram, type LatencySummary, nowMs } from "./histogram.js";

/** Completes one operation: `msgs` messages of `bytes` payload bytes in total (defaults 1, 0). */
export type Done = (err: unknown, msgs?: number, bytes?: number) => void;
/** Starts one operation and calls `done` exactly once when it completes. */
export type Op = (done: Done) => void;

export interface LoadWindow {
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface LoadResult {
  readonly msgs: number;
  readonly bytes: number;
  readonly ops: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly seconds: number;
  readonly msgsPerSec: number;
  readonly mbPerSec: number;
  /** Per operation, for operations started inside the measured window. */
  readonly latency: LatencySummary;
  /** Fixed-rate runs: operations issued per second in the measured window. */
  readonly offeredPerSec?: number;
}

/** How long to wait for outstanding operations after the window closes. */
const DRAIN_MS = 15_000;

class Meter {
  readonly hist = new Histogram();
  msgs = 0;
  bytes = 0;
  ops = 0;
  errors = 0;
  issued = 0;
  firstError: string | undefined;
  outstanding = 0;
  start = nowMs();
  measureFrom = 0;
  measureTo = 0;

  constructor(w: LoadWindow) {
    this.measureFrom = this.start + w.warmupMs;
    this.measureTo = this.measureFrom + w.durationMs;
  }

  get stopped(): boolean {
    return nowMs() >= this.measureTo;
  }

  /** Starts `op` and books its completion. */
  launch(op: Op, after: (failed: boolean) => void): void {
    const t0 = nowMs();
    if (t0 >= this.measureFrom) this.issued++;
    let called = false;
    this.outstanding++;
    op((err, msgs = 1, bytes = 0) => {
      if (called) return;
      called = true;
      this.outstanding--;
      const t1 = nowMs();
      if (err) {
        this.errors++;
        this.firstError ??= err instanceof Error ? err.message : String(err);
      } else if (t1 >= this.measureFrom && t1 < this.measureTo) {
        this.msgs += msgs;
        this.bytes += bytes;
        this.ops++;
        if (t0 >= this.measureFrom) this.hist.record(t1 - t0);
      }
      after(!!err);
    });
  }

  async drain(): Promise<void> {
    const deadline = nowMs() + DRAIN_MS;
    while (this.outstanding > 0 && nowMs() < deadline) await sleep(5);
  }

  result(offered?: number): LoadResult {
    const seconds = Math.max(0.001, (this.measureTo - this.measureFrom) / 1000);
    return {
      msgs: this.msgs,
      bytes: this.bytes,
      ops: this.ops,
      errors: this.errors,
      firstError: this.firstError,
      seconds,
      msgsPerSec: this.msgs / seconds,
      mbPerSec: this.bytes / seconds / 1e6,
      latency: this.hist.summary(),
      ...(offered !== undefined ? { offeredPerSec: offered / seconds } : {}),
    };
  }
}

/**
 * Maximum throughput with `inFlight` operations outstanding at all times
 * (a closed loop). Warms up, then counts what completes in the window.
 */
export async function closedLoop(
  w: LoadWindow & { readonly inFlight: number; readonly op: Op },
): Promise<LoadResult> {
  const m = new Meter(w);
  await new Promise<void>((resolve) => {
    let running = w.inFlight;
    const next = (failed: boolean) => {
      if (m.stopped || (m.errors > 1000 && m.errors > m.ops)) {
        if (--running === 0) resolve();
        return;
      }
      // After a failure, yield so a fast-failing op cannot spin the stack.
      if (failed) setImmediate(() => m.launch(w.op, next));
      else m.launch(w.op, next);
    };
    for (let i = 0; i < w.inFlight; i++) m.launch(w.op, next);
  });
  await m.drain();
  return m.result();
}

/**
 * Open-loop load at a fixed rate (ops/s), paced on a 1 ms timer; latency is
 * measured per operation from the moment it is sent. At most `maxInFlight`
 * are outstanding: beyond that, sends are skipped (visible as offered < rate).
 */
export async function fixedRate(
  w: LoadWindow & { readonly rate: number; readonly op: Op; readonly maxInFlight?: number },
): Promise<LoadResult> {
  const m = new Meter(w);
  const cap = w.maxInFlight ?? 10_000;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = nowMs();
      if (now >= m.measureTo) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor(((now - m.start) * w.rate) / 1000);
      while (sent < due) {
        sent++;
        if (m.outstanding < cap) m.launch(w.op, () => undefined);
      }
    }, 1);
  });
  await m.drain();
  return m.result(m.issued);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
