import { type BucketId, type KvEntry } from "@strata/core";

export interface EntryRow {
  key: string;
  revision: string;
  create_revision: string;
  value: Buffer | null;
  expires_at: Date | null;
}

export function toEntry(r: EntryRow): KvEntry {
  return {
    key: r.key,
    value: r.value ?? Buffer.alloc(0),
    revision: Number(r.revision),
    createRevision: Number(r.create_revision),
    expiresAt: r.expires_at,
  };
}

/** Reads these keys of one bucket in one statement; absent keys are missing from the map. */
export type SelectKeys<T> = (
  bucketId: BucketId,
  keys: readonly string[],
) => Promise<Map<string, T>>;

type Waiter<T> = {
  readonly keys: readonly string[];
  readonly resolve: (rows: Map<string, T>) => void;
  readonly reject: (err: unknown) => void;
};

export interface KeyReadBatcherOptions {
  /** Most keys in one select. */
  readonly maxKeys: number;
  /** Selects in flight at once; reads arriving meanwhile wait and go out together. */
  readonly maxInFlight: number;
}

/**
 * Point reads of KV rows, coalesced: every read issued while earlier selects
 * are busy (or in the same tick) goes out in the next select of its bucket —
 * `key = any($2)` on the primary key. Each select is its own snapshot taken
 * after the read was issued, so a read still sees every write committed
 * before it, and expiry is judged by the database clock.
 */
export class KeyReadBatcher<T> {
  private pending = new Map<BucketId, Waiter<T>[]>();
  private queued = 0;
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly select: SelectKeys<T>,
    private readonly options: KeyReadBatcherOptions = { maxKeys: 1000, maxInFlight: 4 },
  ) {}

  read(bucketId: BucketId, keys: readonly string[]): Promise<Map<string, T>> {
    return new Promise((resolve, reject) => {
      let waiters = this.pending.get(bucketId);
      if (!waiters) this.pending.set(bucketId, (waiters = []));
      waiters.push({ keys, resolve, reject });
      this.queued++;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queued > 0 && this.inFlight < this.options.maxInFlight) {
      const [bucketId, waiters] = this.pending.entries().next().value!;
      const batch: Waiter<T>[] = [];
      const keys = new Set<string>();
      // At least one request, then as many whole requests as fit.
      while (waiters.length > 0) {
        const next = waiters[0]!;
        if (batch.length > 0 && keys.size + next.keys.length > this.options.maxKeys) break;
        batch.push(waiters.shift()!);
        for (const k of next.keys) keys.add(k);
      }
      if (waiters.length === 0) this.pending.delete(bucketId);
      this.queued -= batch.length;
      this.inFlight++;
      void this.run(bucketId, [...keys], batch).finally(() => {
        this.inFlight--;
        if (this.queued > 0) this.schedule();
      });
    }
  }

  private async run(bucketId: BucketId, keys: string[], batch: Waiter<T>[]): Promise<void> {
    try {
      const rows = await this.select(bucketId, keys);
      for (const w of batch) {
        w.resolve(new Map(w.keys.flatMap((k) => (rows.has(k) ? [[k, rows.get(k)!]] : []))));
      }
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
