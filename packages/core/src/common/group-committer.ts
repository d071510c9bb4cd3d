export interface GroupCommitterOptions<T> {
  /** Most items in one transaction. */
  readonly maxBatchItems: number;
  /** Transactions in flight at once; commits still land in order. */
  readonly maxInFlight: number;
  /**
   * What an item writes to (a stream, a bucket). Given, a batch waits only
   * for the batches in flight that write to one of its keys: one slow commit
   * then holds back only the batches it shares a key with, not all after it.
   * Without it every batch waits for the one before.
   */
  readonly keyOf?: (item: T) => unknown;
}

/**
 * Writes one batch. It must wait for `predecessor` before it commits and
 * fail without committing if `predecessor` rejected, so batches land in order
 * (per key, when the committer has `keyOf`).
 */
export type BatchWriter<T> = (items: T[], predecessor: Promise<unknown>) => Promise<void>;

/**
 * Owner-side group commit, shared by every owner (streams, KV buckets):
 * everything submitted while earlier transactions are busy goes out together
 * in the next one, across all the resources the owner serves. Idle, an item
 * is written on the next tick (no timer to wait for); busy, batches grow up
 * to `maxBatchItems`. Up to `maxInFlight` transactions run at once and land
 * in order (each waits for its predecessors before it commits: the batch
 * before, or with `keyOf` the last batch of each of its keys). The writer
 * resolves or rejects the items itself.
 */
export class GroupCommitter<T> {
  private pending: T[] = [];
  private inFlight = 0;
  private tail: Promise<unknown> = Promise.resolve();
  /** With `keyOf`: each key's last batch in flight. */
  private readonly lastByKey = new Map<
    unknown,
    { batch: Promise<unknown>; wait: Promise<unknown> }
  >();
  private readonly running = new Set<Promise<unknown>>();
  private scheduled = false;

  constructor(
    private readonly write: BatchWriter<T>,
    private readonly options: GroupCommitterOptions<T>,
  ) {}

  get queued(): number {
    return this.pending.length;
  }

  get busy(): number {
    return this.inFlight;
  }

  add(item: T): void {
    this.pending.push(item);
    this.schedule();
  }

  /**
   * After a failed batch: hands back the queued items (they were built on
   * state that is gone) and starts a new chain that does not inherit the failure.
   */
  reset(): T[] {
    const dropped = this.pending;
    this.pending = [];
    this.tail = settled(this.tail);
    for (const last of this.lastByKey.values()) last.wait = settled(last.wait);
    return dropped;
  }

  /** Resolves when nothing is queued or in flight. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.inFlight > 0) {
      await Promise.allSettled(this.running);
      await new Promise((r) => setImmediate(r));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // Gather everything submitted in this tick into one batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.pending.length > 0 && this.inFlight < this.options.maxInFlight) {
      const items = this.pending.splice(0, this.options.maxBatchItems);
      const keys = this.options.keyOf ? new Set(items.map(this.options.keyOf)) : undefined;
      const predecessor = keys ? this.predecessorsOf(keys) : this.tail;
      this.inFlight++;
      const done = this.write(items, predecessor);
      this.tail = done;
      this.running.add(done);
      if (keys) for (const k of keys) this.lastByKey.set(k, { batch: done, wait: done });
      done
        .catch(() => undefined)
        .finally(() => {
          this.inFlight--;
          this.running.delete(done);
          if (keys)
            for (const k of keys)
              if (this.lastByKey.get(k)?.batch === done) this.lastByKey.delete(k);
          if (this.pending.length > 0) this.schedule();
        });
    }
  }

  private predecessorsOf(keys: Set<unknown>): Promise<unknown> {
    const before = new Set<Promise<unknown>>();
    for (const k of keys) {
      const last = this.lastByKey.get(k);
      if (last) before.add(last.wait);
    }
    if (before.size === 0) return DONE;
    if (before.size === 1) return [...before][0]!;
    const all = Promise.all(before);
    // A writer that finds nothing left to write does not await it.
    all.catch(() => undefined);
    return all;
  }
}

const DONE: Promise<unknown> = Promise.resolve();

/** Resolves when `p` settles, whichever way: a new chain that does not inherit a failure. */
function settled(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    () => undefined,
  );
}
