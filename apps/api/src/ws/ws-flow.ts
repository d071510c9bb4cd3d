import { type WsLimits } from "./ws-limits.js";

/** What flow control needs of a connection. */
export interface Drainable {
  /** Bytes handed to the socket that the kernel has not taken yet. */
  readonly bufferedAmount: number;
  /** `bufferedAmount` when flow control last looked (its share of the node's total). */
  observed: number;
  /** The socket is down to `resumeBytes`: resume paused subscriptions and reading. */
  drained(): void;
}

/**
 * Send-side memory across all connections of this node. Each socket's
 * unsent bytes are bounded by `highWaterBytes`; when the sum over all
 * sockets passes `globalHighWaterBytes` (many slow clients at once), every
 * socket is held to the much smaller `pressureHighWaterBytes`, so 1,000
 * slow subscribers cost about 1,000 × 128 KiB, not 1,000 × 4 MiB.
 *
 * Sockets do not say when they drain below a level, so one timer samples
 * them: it sums unsent bytes and resumes the connections that were waiting.
 */
export class FlowControl {
  // Sum of every socket's `observed`: exact at each sample, updated after each send in between.
  // Sockets that drained since they were last observed still count: it errs towards pausing.
  private total = 0;
  private readonly waiting = new Set<Drainable>();
  private timer: NodeJS.Timeout | undefined;
  readonly catchUps: CatchUpGate;

  constructor(
    private readonly limits: WsLimits,
    private readonly all: () => Iterable<Drainable>,
  ) {
    this.catchUps = new CatchUpGate(limits.maxCatchingUp);
  }

  start(): void {
    this.timer ??= setInterval(() => this.sample(), this.limits.drainPollMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.waiting.clear();
    this.catchUps.clear();
  }

  /** Unsent bytes on all sockets, as last observed. */
  get bufferedBytes(): number {
    return this.total;
  }

  get underPressure(): boolean {
    return this.bufferedBytes > this.limits.globalHighWaterBytes;
  }

  /** Whether a socket with `buffered` unsent bytes should take no more subscription data. */
  full(buffered: number): boolean {
    return (
      buffered > this.limits.highWaterBytes ||
      (buffered > this.limits.pressureHighWaterBytes && this.underPressure)
    );
  }

  /** After a send: takes the socket's new unsent bytes into the total. */
  observe(c: Drainable): number {
    const now = c.bufferedAmount;
    this.total += now - c.observed;
    c.observed = now;
    return now;
  }

  /** Call `c.drained()` once its socket is down to `resumeBytes`. */
  watch(c: Drainable): void {
    this.waiting.add(c);
  }

  /** The connection closed: its bytes no longer count. */
  forget(c: Drainable): void {
    this.waiting.delete(c);
    this.total -= c.observed;
    c.observed = 0;
  }

  get waitingCount(): number {
    return this.waiting.size;
  }

  sample(): void {
    let total = 0;
    for (const c of this.all()) {
      c.observed = c.bufferedAmount;
      total += c.observed;
    }
    this.total = total;
    for (const c of this.waiting) {
      if (c.bufferedAmount > this.limits.resumeBytes) continue;
      this.waiting.delete(c);
      c.drained();
    }
    this.catchUps.poll();
  }
}

/** A subscription or KV watch, as the gate sees it. */
interface CatchingUp {
  readonly state: string;
}

/**
 * Bounds how many subscriptions read their backlog from storage at once.
 * When 1,000 slow clients drain together, resuming all of them at once
 * would queue 1,000 reads on a pool of ten connections, and the last ones
 * would time out; through the gate they take turns. A subscription holds
 * its turn while it is catching up (polled: the subscription does not say
 * when it goes live).
 */
export class CatchUpGate {
  private readonly active = new Set<CatchingUp>();
  private readonly queue: { sub: CatchingUp; begin: () => void }[] = [];

  constructor(private readonly max: number) {}

  /** Runs `begin` (which starts or resumes `sub`) now, or when a turn is free. */
  admit(sub: CatchingUp, begin: () => void): void {
    if (this.active.size < this.max && this.queue.length === 0) {
      this.active.add(sub);
      begin();
    } else {
      this.queue.push({ sub, begin });
    }
  }

  get catchingUp(): number {
    return this.active.size;
  }

  get waiting(): number {
    return this.queue.length;
  }

  poll(): void {
    for (const sub of this.active) if (sub.state !== "catching_up") this.active.delete(sub);
    while (this.active.size < this.max && this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (next.sub.state === "closed") continue;
      this.active.add(next.sub);
      next.begin();
    }
  }

  clear(): void {
    this.active.clear();
    this.queue.length = 0;
  }
}
