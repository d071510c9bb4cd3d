import { type Clock, epochMs } from "../common/clock.js";

/**
 * A token bucket holding up to one second of the rate. A request is taken
 * only when the bucket holds all of its tokens, so the bucket never goes into
 * debt: one big request cannot lock a tenant out for minutes afterwards. A
 * request larger than the bucket can never be taken (`fits` says so first).
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private rate: number,
    private readonly clock: Clock,
  ) {
    this.tokens = rate;
    this.at = epochMs(clock);
  }

  /** The most one request may take: one second of the rate. */
  get capacity(): number {
    return this.rate;
  }

  /** Takes `n` tokens (n <= capacity), or answers how long until they are there (nothing taken). */
  take(n: number): { ok: true } | { ok: false; retryAfterMs: number } {
    this.refill();
    if (this.tokens < n) {
      return { ok: false, retryAfterMs: Math.ceil(((n - this.tokens) / this.rate) * 1000) };
    }
    this.tokens -= n;
    return { ok: true };
  }

  setRate(rate: number): void {
    this.refill();
    this.rate = rate;
    this.tokens = Math.min(this.tokens, rate);
  }

  private refill(): void {
    const now = epochMs(this.clock);
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
  }
}
