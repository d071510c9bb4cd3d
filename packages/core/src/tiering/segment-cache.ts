import { type DecodedSegment } from "./segment-format.js";

/**
 * A bounded LRU of decoded segments, keyed by object key. Concurrent loads of
 * the same key share one fetch. A segment larger than the whole budget is
 * returned but not kept. Objects are immutable (a key is never rewritten), so
 * an entry is never stale; entries of deleted segments simply age out.
 */
export class SegmentCache {
  private readonly entries = new Map<string, DecodedSegment>();
  private readonly loading = new Map<string, Promise<DecodedSegment>>();
  private used = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes: number) {}

  async get(key: string, load: () => Promise<DecodedSegment>): Promise<DecodedSegment> {
    const hit = this.entries.get(key);
    if (hit) {
      this.hits++;
      // Re-insert: Map order is the recency order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    this.misses++;
    let pending = this.loading.get(key);
    if (!pending) {
      pending = load()
        .then((seg) => {
          this.keep(key, seg);
          return seg;
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  private keep(key: string, seg: DecodedSegment): void {
    if (seg.memoryBytes > this.maxBytes || this.entries.has(key)) return;
    this.entries.set(key, seg);
    this.used += seg.memoryBytes;
    for (const [k, old] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(k);
      this.used -= old.memoryBytes;
    }
  }
}
