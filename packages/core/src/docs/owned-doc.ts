import { type AnyDoc, type DecodedChange } from "./doc-content.js";
import { type DocInfo, type DocRowId } from "./doc-store.js";
import { type DocRef, type Heads } from "./documents.js";

/** One applyChanges call waiting for the document's next commit. */
export interface PendingApply {
  readonly changes: readonly DecodedChange[];
  resolve(result: { heads: Heads }): void;
  reject(err: Error): void;
}

/**
 * A document loaded by its owner. `doc` is committed state except while a
 * commit is in flight (`flushing`): Automerge applies changes to the
 * document's one handle and cannot take them back, so the owner applies
 * first (to learn the new heads), commits, and on failure drops the whole
 * entry — it reloads from the database, the only truth. Readers therefore
 * go through `read`, which waits for the flush to end.
 */
export class OwnedDoc {
  doc: AnyDoc;
  rowId: DocRowId | null;
  heads: Heads;
  /** Stored bytes (snapshot + change rows): the size limit and the cache weight. */
  bytes: number;
  changes = 0;
  changeBytes = 0;
  /** Stored changes whose deps are missing: in the document's queue, not in its heads. */
  readonly waiting: Set<string>;
  readonly queue: PendingApply[] = [];
  flushing = false;
  dropped: Error | null = null;
  lastUsed: number;
  lastCompactionRequest = 0;
  private readers: (() => void)[] = [];

  constructor(
    readonly ref: DocRef,
    readonly resource: string,
    loaded: { doc: AnyDoc; waiting: Set<string>; info: DocInfo | null },
    now: number,
  ) {
    this.doc = loaded.doc;
    this.waiting = loaded.waiting;
    this.rowId = loaded.info?.id ?? null;
    this.heads = loaded.info?.heads ?? [];
    this.bytes = loaded.info?.bytes ?? 0;
    this.lastUsed = now;
    if (loaded.info) this.counted(loaded.info);
  }

  get idle(): boolean {
    return !this.flushing && this.queue.length === 0;
  }

  counted(info: DocInfo): void {
    this.rowId = info.id;
    this.bytes = info.bytes;
    this.changes = info.changes;
    this.changeBytes = info.changeBytes;
  }

  /** Runs `fn` on committed state: now, or once the commit in flight has ended. */
  read<T>(fn: (doc: AnyDoc) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        if (this.dropped) return reject(this.dropped);
        try {
          resolve(fn(this.doc));
        } catch (err) {
          reject(err as Error);
        }
      };
      if (this.flushing) this.readers.push(run);
      else run();
    });
  }

  /** The flush loop ended: let waiting readers in. */
  settled(): void {
    const readers = this.readers;
    this.readers = [];
    for (const r of readers) r();
  }

  /** The entry is void (reloaded, given up, deleted): fail everything waiting on it. */
  drop(reason: Error): void {
    if (this.dropped) return;
    this.dropped = reason;
    for (const p of this.queue.splice(0)) p.reject(reason);
    this.settled();
  }
}
