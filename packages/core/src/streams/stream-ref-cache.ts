import { turnTime } from "../common/clock.js";
import { type Stream } from "./stream.js";

/**
 * Recently looked-up streams by (tenant, name), so the hot paths (append,
 * read, subscribe) do not query the catalog every time. Entries live for
 * `ttlMs`: a config change or delete made on another node is seen within it
 * (an append to a stream deleted meanwhile still fails: the commit finds the
 * stream gone). Bounded: (about) the oldest entry goes first.
 *
 * Each entry's lifetime is drawn between 75% and 100% of `ttlMs`: entries
 * cached together (a burst of first appends to many streams) would otherwise
 * all expire in the same millisecond and send every hot path to the catalog
 * at once — a latency spike every `ttlMs`. `current` goes further for the
 * busiest entries: it reads them again in the background once they are three
 * quarters through their life, so a stream in use never expires at all, and
 * `load` shares one catalog read among all the callers that miss together.
 */
const JITTER = 0.25;
const REFRESH_AT = 0.75;

interface Entry<T> {
  readonly stream: T;
  readonly expiresAt: number;
  readonly refreshAt: number;
}

/** Reads one entry from where it lives (the catalog); null when there is none. */
export type RefFetch<T> = (tenantId: string, name: string) => Promise<T | null>;

export class StreamRefCache<
  T extends { readonly tenantId: string; readonly name: string } = Stream,
> {
  /** By tenant, then name: the hot lookup hashes only the name (the tenant id is one string). */
  private readonly tenants = new Map<string, Map<string, Entry<T>>>();
  private size = 0;
  private readonly loading = new Map<string, Promise<T | null>>();

  constructor(
    private readonly ttlMs = 5000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = turnTime,
    private readonly random: () => number = Math.random,
  ) {}

  get(tenantId: string, name: string): T | undefined {
    const hit = this.tenants.get(tenantId)?.get(name);
    if (!hit) return undefined;
    if (this.now() >= hit.expiresAt) {
      this.remove(tenantId, name);
      return undefined;
    }
    return hit.stream;
  }

  /** `get`, reading the entry again with `fetch` in the background when it is due (see above). */
  current(tenantId: string, name: string, fetch: RefFetch<T>): T | undefined {
    const hit = this.tenants.get(tenantId)?.get(name);
    if (!hit) return undefined;
    const now = this.now();
    if (now < hit.refreshAt) return hit.stream;
    if (now >= hit.expiresAt) {
      this.remove(tenantId, name);
      return undefined;
    }
    const key = keyOf(tenantId, name);
    if (!this.loading.has(key)) this.fetch(key, tenantId, name, fetch).catch(() => {});
    return hit.stream;
  }

  /** The cached entry, or one `fetch` shared by every caller missing it at the same time. */
  async load(tenantId: string, name: string, fetch: RefFetch<T>): Promise<T | null> {
    return this.get(tenantId, name) ?? this.fetch(keyOf(tenantId, name), tenantId, name, fetch);
  }

  set(stream: T): void {
    const { tenantId, name } = stream;
    let names = this.tenants.get(tenantId);
    if (!names) this.tenants.set(tenantId, (names = new Map()));
    if (names.delete(name)) this.size--;
    const now = this.now();
    const lifetime = this.ttlMs * (1 - JITTER * this.random());
    names.set(name, { stream, expiresAt: now + lifetime, refreshAt: now + lifetime * REFRESH_AT });
    if (++this.size > this.maxEntries) this.evictOne();
  }

  delete(tenantId: string, name: string): void {
    this.remove(tenantId, name);
    this.loading.delete(keyOf(tenantId, name));
  }

  clear(): void {
    this.tenants.clear();
    this.size = 0;
    this.loading.clear();
  }

  private remove(tenantId: string, name: string): void {
    const names = this.tenants.get(tenantId);
    if (!names?.delete(name)) return;
    this.size--;
    if (names.size === 0) this.tenants.delete(tenantId);
  }

  /** The oldest entry of the tenant cached longest ago: close enough to the oldest overall. */
  private evictOne(): void {
    const [tenantId, names] = this.tenants.entries().next().value ?? [];
    const oldest = names?.keys().next().value;
    if (tenantId !== undefined && oldest !== undefined) this.remove(tenantId, oldest);
  }

  private fetch(key: string, tenantId: string, name: string, fetch: RefFetch<T>) {
    const pending = this.loading.get(key);
    if (pending) return pending;
    const read: Promise<T | null> = fetch(tenantId, name)
      .then((stream) => {
        // Deleted meanwhile (delete() dropped this read): its answer may predate the delete.
        if (this.loading.get(key) !== read) return stream;
        if (stream) this.set(stream);
        else this.remove(tenantId, name);
        return stream;
      })
      .finally(() => {
        if (this.loading.get(key) === read) this.loading.delete(key);
      });
    this.loading.set(key, read);
    return read;
  }
}

function keyOf(tenantId: string, name: string): string {
  return `${tenantId}\u0000${name}`;
}
