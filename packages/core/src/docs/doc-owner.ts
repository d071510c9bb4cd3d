import * as Automerge from "@automerge/automerge";
import { type Bus } from "../bus/bus.js";
import { type Clock } from "../common/clock.js";
import { NotOwner } from "../cluster/cluster.js";
import { StrataError } from "../errors.js";
import { HandOverHolds } from "../cluster/hand-over-holds.js";
import { type Claimer } from "../streams/owner-ports.js";
import { CommitFailed, Fenced } from "../streams/stream.errors.js";
import { type AnyDoc, decodeChanges, materialize } from "./doc-content.js";
import { ConflictingChange, DocNotFound, DocReloaded, DocTooLarge } from "./docs.errors.js";
import { type DocInfo, type DocLog, docResource, docTopic } from "./doc-store.js";
import { type DocRef, type DurableChanges, type Heads } from "./documents.js";
import { DocCache } from "./doc-cache.js";
import { OwnedDoc, type PendingApply } from "./owned-doc.js";

export interface DocOwnerOptions {
  /** This node; its id changes when it rejoins as a new incarnation. */
  readonly node: { readonly id: string };
  /** Largest stored size of one document (snapshot + change rows). */
  readonly maxDocBytes: number;
  /** Stored bytes of the documents kept loaded; idle ones beyond it are evicted, oldest use first. */
  readonly cacheBytes: number;
  /** A document with this many change rows (or bytes of them) is due for compaction. */
  readonly compactChanges: number;
  readonly compactBytes: number;
  /** Called (at most every 10 s per document) when a commit leaves a document due for compaction. */
  readonly onCompactionDue?: (ref: DocRef, info: DocInfo) => void;
  readonly onCommit?: (stats: { ok: boolean; changes: number; seconds: number }) => void;
  readonly onFenced?: (err: Fenced) => void;
}

const COMPACTION_REQUEST_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The only writer of the documents this node owns (placement `doc:…`). Holds
 * them loaded in a bounded LRU (by stored bytes); `applyChanges` decodes,
 * skips changes the document has, and group-commits per document: calls
 * arriving while a commit is in flight go together into the next one, so a
 * document's commits are serialized and its heads stay consistent. Changes
 * are durable before the call resolves and before they are published.
 */
export class DocOwner {
  private readonly cache: DocCache;
  private readonly loading = new Map<string, Promise<OwnedDoc | null>>();
  private generation = 0;
  private nodeId: string;
  private readonly handedOver = new HandOverHolds<string>(() => this.clock.now().getTime());

  constructor(
    private readonly log: DocLog,
    private readonly bus: Bus,
    private readonly claimer: Claimer,
    private readonly clock: Clock,
    private readonly options: DocOwnerOptions,
  ) {
    this.nodeId = options.node.id;
    this.cache = new DocCache(options.cacheBytes);
  }

  async applyChanges(
    ref: DocRef,
    changes: readonly Uint8Array[],
    opts: { readonly create: boolean },
  ): Promise<{ heads: Heads }> {
    const decoded = decodeChanges(changes);
    for (let attempt = 0; ; attempt++) {
      this.handedOver.assertServing(docResource(ref), docResource(ref));
      const d = await this.open(ref, opts.create);
      if (d.rowId === null && !opts.create) throw new DocNotFound(ref.documentId);
      try {
        return await new Promise<{ heads: Heads }>((resolve, reject) => {
          if (d.dropped) return reject(d.dropped);
          d.queue.push({ changes: decoded, resolve, reject });
          void this.flush(d);
        });
      } catch (err) {
        // Dropped under us (deleted, reloaded): the next open sees the database's truth.
        if (err instanceof DocReloaded && attempt < 3) continue;
        throw err;
      }
    }
  }

  /** Runs `fn` on the committed document if it is loaded here (and exists); undefined otherwise. */
  async readLoaded<T>(ref: DocRef, fn: (doc: AnyDoc, heads: Heads) => T): Promise<T | undefined> {
    const d = this.cache.get(docResource(ref));
    if (!d || d.rowId === null || this.nodeId !== this.options.node.id) return undefined;
    try {
      return await d.read((doc) => fn(doc, d.heads));
    } catch (err) {
      if (err instanceof StrataError && err.retryable) return undefined;
      throw err;
    }
  }

  isLoaded(ref: DocRef): boolean {
    return this.cache.get(docResource(ref)) !== undefined;
  }

  /** Forget a document (deleted here); its next use reloads it. */
  forget(ref: DocRef): void {
    const d = this.cache.get(docResource(ref));
    if (d) this.cache.remove(d, new DocReloaded(ref.documentId));
  }

  /** Evicts documents unused for `idleMs`; returns how many. */
  evictIdle(idleMs: number): number {
    return this.cache.evictIdle(this.now() - idleMs);
  }

  /** Stops serving everything at once (lease lost, or shutting down); pending work fails retryably. */
  stepDown(reason: Error): void {
    this.generation++;
    this.nodeId = this.options.node.id;
    for (const d of this.cache.all()) this.cache.remove(d, reason);
    this.loading.clear();
  }

  /**
   * Gives one document (`doc:<tenant>/<id>`) to another node for the
   * rebalancer: new changes are turned away for `holdMs`, the accepted ones
   * commit, the document leaves memory, and `release` frees its placement row
   * so the successor claims it with a new epoch.
   */
  async handOver(resource: string, holdMs: number, release: () => Promise<void>): Promise<void> {
    this.handedOver.hold(resource, holdMs);
    const d = this.cache.get(resource);
    while (d && !d.idle && this.cache.holds(d)) await sleep(10);
    if (d) this.cache.remove(d, new NotOwner(resource));
    await release();
  }

  /** Waits until every accepted change has been committed or failed. */
  async drain(): Promise<void> {
    while (this.cache.all().some((d) => !d.idle)) await sleep(10);
  }

  get stats(): { loaded: number; bytes: number } {
    return this.cache.stats;
  }

  private async open(ref: DocRef, create: boolean): Promise<OwnedDoc> {
    // Rejoined as a new incarnation: whatever the old one held in memory is void.
    if (this.nodeId !== this.options.node.id) this.stepDown(new Fenced(this.nodeId));
    const key = docResource(ref);
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.touch(hit, this.now());
      return hit;
    }
    let pending = this.loading.get(key);
    if (!pending) {
      const generation = this.generation;
      const loading = (async () => {
        await this.claimer.claim(key, "doc", ref.tenantId);
        const content = await this.log.load(ref);
        if (!content) return null;
        const d = new OwnedDoc(
          ref,
          key,
          { ...materialize(content), info: content.info },
          this.now(),
        );
        if (generation === this.generation) this.cache.add(d);
        return d;
      })().finally(() => {
        if (this.loading.get(key) === loading) this.loading.delete(key);
      });
      this.loading.set(key, (pending = loading));
    }
    const loaded = await pending;
    if (loaded) return loaded;
    if (!create) throw new DocNotFound(ref.documentId);
    // New document: an empty entry; its first commit creates the row.
    const existing = this.cache.get(key);
    if (existing) return existing;
    const d = new OwnedDoc(
      ref,
      key,
      { doc: Automerge.init(), waiting: new Set(), info: null },
      this.now(),
    );
    this.cache.add(d);
    return d;
  }

  private async flush(d: OwnedDoc): Promise<void> {
    if (d.flushing) return;
    d.flushing = true;
    try {
      while (d.queue.length > 0 && !d.dropped) await this.commit(d, d.queue.splice(0));
    } finally {
      d.flushing = false;
      d.settled();
      this.cache.fit();
    }
  }

  /** One transaction for every call queued on the document. */
  private async commit(d: OwnedDoc, batch: PendingApply[]): Promise<void> {
    const accepted: PendingApply[] = [];
    const fresh: PendingApply["changes"][number][] = [];
    const seen = new Set<string>();
    let bytes = d.bytes;
    for (const p of batch) {
      const mine = p.changes.filter(
        (c) => !seen.has(c.hash) && !d.waiting.has(c.hash) && !Automerge.hasHeads(d.doc, [c.hash]),
      );
      const add = mine.reduce((n, c) => n + c.bytes.byteLength, 0);
      if (add > 0 && bytes + add > this.options.maxDocBytes) {
        p.reject(new DocTooLarge(d.ref.documentId, this.options.maxDocBytes, bytes + add));
        continue;
      }
      for (const c of mine) seen.add(c.hash);
      fresh.push(...mine);
      bytes += add;
      accepted.push(p);
    }
    if (accepted.length === 0) return;
    if (fresh.length === 0 && d.rowId !== null) {
      for (const p of accepted) p.resolve({ heads: d.heads });
      return;
    }
    let next = d.doc;
    if (fresh.length > 0) {
      [next] = Automerge.applyChanges(
        d.doc,
        fresh.map((c) => c.bytes),
      );
    }
    const heads = Automerge.getHeads(next).sort();
    const started = performance.now();
    let info: DocInfo;
    try {
      info = await this.log.commit({
        nodeId: this.nodeId,
        resource: d.resource,
        ref: d.ref,
        docId: d.rowId,
        changes: fresh,
        heads,
      });
    } catch (err) {
      this.options.onCommit?.({ ok: false, changes: fresh.length, seconds: elapsed(started) });
      const failure = this.failure(err);
      // Memory holds changes the database does not: reload from the database next time.
      // Calls queued behind this commit retry on the reloaded document.
      this.cache.remove(d, new DocReloaded(d.ref.documentId));
      // A conflicting change fails its own call; others grouped with it retry alone.
      const retryAlone = failure instanceof ConflictingChange && accepted.length > 1;
      for (const p of accepted) p.reject(retryAlone ? new DocReloaded(d.ref.documentId) : failure);
      if (failure instanceof Fenced) {
        this.stepDown(failure);
        this.options.onFenced?.(failure);
      }
      return;
    }
    this.options.onCommit?.({ ok: true, changes: fresh.length, seconds: elapsed(started) });
    d.doc = next;
    d.heads = heads;
    this.cache.counted(d, info);
    for (const c of fresh) if (!Automerge.hasHeads(next, [c.hash])) d.waiting.add(c.hash);
    for (const h of [...d.waiting]) if (Automerge.hasHeads(next, [h])) d.waiting.delete(h);
    if (fresh.length > 0) {
      const event: DurableChanges = { ref: d.ref, changes: fresh.map((c) => c.bytes), heads };
      this.bus.publish(docTopic(d.ref), event);
    }
    for (const p of accepted) p.resolve({ heads });
    this.maybeCompact(d, info);
  }

  private maybeCompact(d: OwnedDoc, info: DocInfo): void {
    const due =
      info.changes >= this.options.compactChanges || info.changeBytes >= this.options.compactBytes;
    const now = this.now();
    if (!due || now - d.lastCompactionRequest < COMPACTION_REQUEST_MS) return;
    d.lastCompactionRequest = now;
    this.options.onCompactionDue?.(d.ref, info);
  }

  private failure(err: unknown): StrataError {
    if (err instanceof StrataError) return err;
    return new CommitFailed(`The changes were not committed: ${(err as Error).message}`);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

const elapsed = (started: number) => (performance.now() - started) / 1000;
