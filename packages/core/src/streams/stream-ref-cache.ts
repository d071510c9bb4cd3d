import { type Stream } from "./stream.js";

/**
 * Recently looked-up streams by (tenant, name), so the hot paths (append,
 * read, subscribe) do not query the catalog every time. Entries live for
 * `ttlMs`: a config change or delete made on another node is seen within it
 * (an append to a stream deleted meanwhile still fails: the commit finds the
 * stream gone). Bounded: the oldest entry goes first.
 *
 * Each entry's lifetime is drawn between 75% and 100% of `ttlMs`: entries
 * cached together (a burst of first appends to many streams) would otherwise
 * all expire in the same millisecond and send every hot path to the catalog
 * at once — a latency spike every `ttlMs`.
 */
const JITTER = 0.25;

export class StreamRefCache<
  T extends { readonly tenantId: string; readonly name: string } = Stream,
> {
  private readonly entries = new Map<string, { stream: T; expiresAt: number }>();

  constructor(
    private readonly ttlMs = 5000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  get(tenantId: string, name: string): T | undefined {
    const key = `${tenantId}\u0000${name}`;
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (this.now() >= hit.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.stream;
  }

  set(stream: T): void {
    const key = `${stream.tenantId}\u0000${stream.name}`;
    this.entries.delete(key);
    const lifetime = this.ttlMs * (1 - JITTER * this.random());
    this.entries.set(key, { stream, expiresAt: this.now() + lifetime });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(tenantId: string, name: string): void {
    this.entries.delete(`${tenantId}\u0000${name}`);
  }
}
