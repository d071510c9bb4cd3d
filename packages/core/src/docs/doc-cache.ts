import { type DocInfo } from "./doc-store.js";
import { DocReloaded } from "./docs.errors.js";
import { type OwnedDoc } from "./owned-doc.js";

/**
 * The documents an owner holds loaded, bounded by their stored bytes. Map
 * order is the LRU order (most recently used last); only idle documents are
 * evicted, so a commit in flight never loses its document.
 */
export class DocCache {
  private readonly docs = new Map<string, OwnedDoc>();
  private cachedBytes = 0;

  constructor(private readonly budgetBytes: number) {}

  get(resource: string): OwnedDoc | undefined {
    return this.docs.get(resource);
  }

  /** Whether `d` is the cached entry for its resource (not one dropped and replaced). */
  holds(d: OwnedDoc): boolean {
    return this.docs.get(d.resource) === d;
  }

  all(): OwnedDoc[] {
    return [...this.docs.values()];
  }

  get stats(): { loaded: number; bytes: number } {
    return { loaded: this.docs.size, bytes: this.cachedBytes };
  }

  add(d: OwnedDoc): void {
    this.docs.set(d.resource, d);
    this.cachedBytes += d.bytes;
    this.fit();
  }

  remove(d: OwnedDoc, reason: Error): void {
    if (this.holds(d)) {
      this.docs.delete(d.resource);
      this.cachedBytes -= d.bytes;
    }
    d.drop(reason);
  }

  /** A commit changed the document's stored size. */
  counted(d: OwnedDoc, info: DocInfo): void {
    if (this.holds(d)) this.cachedBytes += info.bytes - d.bytes;
    d.counted(info);
  }

  touch(d: OwnedDoc, now: number): void {
    d.lastUsed = now;
    this.docs.delete(d.resource);
    this.docs.set(d.resource, d);
  }

  /** Evicts documents idle since before `horizon`; returns how many. */
  evictIdle(horizon: number): number {
    let n = 0;
    for (const d of this.all()) {
      if (d.idle && d.lastUsed < horizon) {
        this.remove(d, new DocReloaded(d.ref.documentId));
        n++;
      }
    }
    return n;
  }

  /** Evicts idle documents, least recently used first, until the cache fits its budget. */
  fit(): void {
    if (this.cachedBytes <= this.budgetBytes) return;
    // The most recently used document stays, however large: someone is about to use it.
    for (const d of this.all().slice(0, -1)) {
      if (this.cachedBytes <= this.budgetBytes) return;
      if (d.idle) this.remove(d, new DocReloaded(d.ref.documentId));
    }
  }
}
