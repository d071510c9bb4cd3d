export interface GroupCommitterOptions {
  /** Most items in one transaction. */
  readonly maxBatchItems: number;
  /** Transactions in flight at once; commits still land in order. */
  readonly maxInFlight: number;
}

/**
 * Writes one batch. It must wait for `predecessor` before it commits and
 * fail without committing if `predecessor` rejected, so batches land in order.
 */
export type BatchWriter<T> = (items: T[], predecessor: Promise<unknown>) => Promise<void>;

/**
 * Owner-side group commit, shared by every owner (streams, KV buckets):
 * everything submitted while earlier transactions are busy goes out together
 * in the next one, across all the resources the owner serves. Idle, an item
 * is written on the next tick (no timer to wait for); busy, batches grow up
 * to `maxBatchItems`. Up to `maxInFlight` transactions run at once and land
 * in order (each waits for its predecessor before it commits). The writer
 * resolves or rejects the items itself.
 */
export class GroupCommitter<T> {
  private pending: T[] = [];
  private inFlight = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private scheduled = false;

  constructor(
    private readonly write: BatchWriter<T>,
    private readonly options: GroupCommitterOptions,
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
    this.tail = this.tail.then(
      () => undefined,
      () => undefined,
    );
    return dropped;
  }

  /** Resolves when nothing is queued or in flight. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.inFlight > 0) {
      await this.tail.catch(() => undefined);
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
      const predecessor = this.tail;
      this.inFlight++;
      const done = this.write(items, predecessor);
      this.tail = done;
      done
        .catch(() => undefined)
        .finally(() => {
          this.inFlight--;
          if (this.pending.length > 0) this.schedule();
        });
    }
  }
}
