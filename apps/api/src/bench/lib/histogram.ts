/**
 * A small log-bucketed latency histogram: ~1.1 % relative precision from 1 µs
 * to ~1 hour in a fixed 2,560-slot array, so millions of samples cost nothing.
 */
const PER_OCTAVE = 64;
const OCTAVES = 40;

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

export class Histogram {
  private readonly buckets = new Float64Array(PER_OCTAVE * OCTAVES);
  private n = 0;
  private sumMs = 0;
  private maxMs = 0;

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const i = Math.min(this.buckets.length - 1, Math.floor(Math.log2(us) * PER_OCTAVE));
    this.buckets[i]! += 1;
    this.n++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  get count(): number {
    return this.n;
  }

  /** The latency (ms) at quantile q in [0, 1]; the bucket's geometric midpoint. */
  quantile(q: number): number {
    if (this.n === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= rank) return Math.min(this.maxMs, 2 ** ((i + 0.5) / PER_OCTAVE) / 1000);
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    return {
      count: this.n,
      p50Ms: this.quantile(0.5),
      p99Ms: this.quantile(0.99),
      p999Ms: this.quantile(0.999),
      maxMs: this.maxMs,
      meanMs: this.n ? this.sumMs / this.n : NaN,
    };
  }
}

/** Milliseconds since an arbitrary origin, sub-millisecond precision. */
export function nowMs(): number {
  return performance.now();
}
