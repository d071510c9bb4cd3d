import { type Stream } from "./stream.js";

/**
 * Recently looked-up streams by (tenant, name), so the hot paths (append,
 * read, subscribe) do not query the catalog every time. Entries live for
 * `ttlMs`: a config change or delete made on another node is seen within it
 * (an append to a stream deleted meanwhile still fails: the commit finds the
 * stream gone). Bounded: the oldest entry goes first.
 */
export class StreamRefCache<
  T extends { readonly tenantId: string; readonly name: string } = Stream,
> {
  private readonly entries = new Map<string, { stream: T; at: number }>();

  constructor(
    private readonly ttlMs = 5000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(tenantId: string, name: string): T | undefined {
    const key = `${tenantId}\u0000${name}`;
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (this.now() - hit.at >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.stream;
  }

  set(stream: T): void {
    const key = `${stream.tenantId}\u0000${stream.name}`;
    this.entries.delete(key);
    this.entries.set(key, { stream, at: this.now() });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(tenantId: string, name: string): void {
    this.entries.delete(`${tenantId}\u0000${name}`);
  }
}
