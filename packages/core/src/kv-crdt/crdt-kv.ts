import * as Automerge from "@automerge/automerge";
import { type Clock } from "../common/clock.js";
import { ValidationFailed } from "../errors.js";
import { docResource } from "../docs/doc-store.js";
import {
  DOC_RESYNC,
  type DocRef,
  type DocumentsForSync,
  type DurableChanges,
  type Heads,
} from "../docs/documents.js";
import { BucketMirror } from "./bucket-mirror.js";
import { type KvDoc } from "./crdt-bucket.js";

/** One write of a crdt bucket; several in one call land in one Automerge change (atomically). */
export type CrdtOp =
  | { readonly op: "put"; readonly key: string; readonly value: Uint8Array }
  | { readonly op: "delete"; readonly key: string };

export interface CrdtKvPorts {
  /** The documents machinery: durable storage through the document's owner, and its change feed. */
  readonly docs: Pick<DocumentsForSync, "load" | "applyChanges" | "watch">;
  /** The durable heads of a document (null: none stored): the cheap freshness check before a read. */
  durableHeads(ref: DocRef): Promise<Heads | null>;
  readonly clock: Clock;
}

interface PendingWrite {
  readonly ops: readonly CrdtOp[];
  resolve(revision: number): void;
  reject(err: Error): void;
}

class BucketEntry {
  /** This node's writable copy (own actor); null until the first write, and after a failed one. */
  writer: KvDoc | null = null;
  readonly queue: PendingWrite[] = [];
  sending = false;
  catchingUp: Promise<void> | null = null;
  lastUsed: number;

  constructor(
    readonly ref: DocRef,
    readonly mirror: BucketMirror,
    readonly unsubscribe: () => void,
    now: number,
  ) {
    this.lastUsed = now;
  }

  get idle(): boolean {
    return !this.sending && this.queue.length === 0 && !this.mirror.watched;
  }
}

/**
 * The crdt buckets this node serves: per bucket, a mirror of the durable
 * document (reads, watches) and a writer. Writes of one bucket on one node
 * go out one batch at a time, each batch as one Automerge change made on
 * this node's own copy (its own actor, so (actor, seq) never collides with
 * another node's) and made durable by the document's owner before the
 * callers are answered. A batch that fails throws the writer copy away: it
 * may hold a change that was not stored, and nothing may build on that.
 */
export class CrdtKv {
  private readonly entries = new Map<string, Promise<BucketEntry>>();
  private readonly loaded = new Map<string, BucketEntry>();

  constructor(private readonly ports: CrdtKvPorts) {}

  /** Creates the bucket's (empty) document, so it exists before the first write. */
  async create(ref: DocRef): Promise<void> {
    await this.ports.docs.applyChanges(ref, [], { create: true });
  }

  /** Applies `ops` as one change; resolves with a revision at which they are durable and visible. */
  async write(ref: DocRef, ops: readonly CrdtOp[]): Promise<number> {
    // Checked here: inside a batch it would fail the other callers' writes too.
    if (ops.some((o) => o.key === "__proto__")) {
      throw new ValidationFailed([
        { path: "path.key", message: "'__proto__' is not a key Automerge documents allow" },
      ]);
    }
    const entry = await this.open(ref);
    return new Promise<number>((resolve, reject) => {
      entry.queue.push({ ops, resolve, reject });
      void this.flush(entry);
    });
  }

  /** Runs `fn` on a mirror holding at least every change durable when the call began. */
  async read<T>(ref: DocRef, fn: (mirror: BucketMirror) => T): Promise<T> {
    const entry = await this.open(ref);
    const heads = await this.ports.durableHeads(ref);
    for (let i = 0; heads && !entry.mirror.has(heads) && i < 3; i++) await this.catchUp(entry);
    entry.lastUsed = this.now();
    return fn(entry.mirror);
  }

  /** Forgets a bucket (deleted): its watches end with `reason`. */
  drop(ref: DocRef, reason: Error): void {
    const key = docResource(ref);
    const entry = this.loaded.get(key);
    this.entries.delete(key);
    this.loaded.delete(key);
    if (!entry) return;
    entry.unsubscribe();
    entry.mirror.end(reason);
    for (const p of entry.queue.splice(0)) p.reject(reason);
  }

  /** Forgets buckets unused for `idleMs` with no watch and no write under way; returns how many. */
  evictIdle(idleMs: number): number {
    const horizon = this.now() - idleMs;
    let n = 0;
    for (const [key, entry] of [...this.loaded]) {
      if (!entry.idle || entry.lastUsed >= horizon) continue;
      this.loaded.delete(key);
      this.entries.delete(key);
      entry.unsubscribe();
      n++;
    }
    return n;
  }

  get stats(): { loaded: number } {
    return { loaded: this.loaded.size };
  }

  private open(ref: DocRef): Promise<BucketEntry> {
    const key = docResource(ref);
    let pending = this.entries.get(key);
    if (!pending) {
      pending = this.load(ref).then(
        (entry) => {
          this.loaded.set(key, entry);
          return entry;
        },
        (err: unknown) => {
          if (this.entries.get(key) === pending) this.entries.delete(key);
          throw err;
        },
      );
      this.entries.set(key, pending);
    }
    return pending;
  }

  /** Subscribes first, then loads: changes published meanwhile are applied after (idempotently). */
  private async load(ref: DocRef): Promise<BucketEntry> {
    const early: (DurableChanges | typeof DOC_RESYNC)[] = [];
    let entry: BucketEntry | undefined;
    const unsubscribe = await this.ports.docs.watch(ref, (event) =>
      entry ? this.onEvent(entry, event) : early.push(event),
    );
    try {
      const saved = await this.ports.docs.load(ref);
      const doc: KvDoc = saved ? Automerge.load(saved.bytes) : Automerge.init();
      entry = new BucketEntry(ref, new BucketMirror(doc), unsubscribe, this.now());
    } catch (err) {
      unsubscribe();
      throw err;
    }
    for (const event of early) this.onEvent(entry, event);
    return entry;
  }

  private onEvent(entry: BucketEntry, event: DurableChanges | typeof DOC_RESYNC): void {
    if (event === DOC_RESYNC) return void this.catchUp(entry).catch(() => {});
    entry.mirror.apply(event.changes);
    // Changes whose deps this node never saw (a lost event): storage has them.
    if (!entry.mirror.has(event.heads)) void this.catchUp(entry).catch(() => {});
  }

  private catchUp(entry: BucketEntry): Promise<void> {
    entry.catchingUp ??= (async () => {
      const saved = await this.ports.docs.load(entry.ref);
      if (saved) entry.mirror.merge(saved.bytes);
    })().finally(() => {
      entry.catchingUp = null;
    });
    return entry.catchingUp;
  }

  private async flush(entry: BucketEntry): Promise<void> {
    if (entry.sending) return;
    entry.sending = true;
    try {
      while (entry.queue.length > 0) await this.send(entry, entry.queue.splice(0));
    } finally {
      entry.sending = false;
      entry.lastUsed = this.now();
    }
  }

  private async send(entry: BucketEntry, batch: PendingWrite[]): Promise<void> {
    try {
      // Start from everything durable this node knows, so a later write wins over an older one.
      let doc = entry.writer ? entry.mirror.mergeInto(entry.writer) : entry.mirror.fork();
      entry.writer = doc;
      const before = Automerge.getHeads(doc);
      doc = Automerge.change(doc, (d) => {
        for (const p of batch) {
          for (const op of p.ops) {
            if (op.op === "put") d[op.key] = op.value;
            else delete d[op.key];
          }
        }
      });
      entry.writer = doc;
      const after = Automerge.getHeads(doc);
      if (after.length !== before.length || after.some((h) => !before.includes(h))) {
        const change = Automerge.getLastLocalChange(doc)!;
        const { heads } = await this.ports.docs.applyChanges(entry.ref, [change], {
          create: true,
        });
        entry.mirror.apply([change]);
        for (let i = 0; !entry.mirror.has(heads) && i < 3; i++) await this.catchUp(entry);
      }
      const revision = entry.mirror.revision;
      for (const p of batch) p.resolve(revision);
    } catch (err) {
      entry.writer = null;
      for (const p of batch) p.reject(err as Error);
    }
  }

  private now(): number {
    return this.ports.clock.now().getTime();
  }
}
