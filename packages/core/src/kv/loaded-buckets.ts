import { type BucketId, type BucketRef, type KvConfig } from "./kv.js";
import { type KvCommitOutcome } from "./kv-store.js";
import { type OwnedBucket } from "./owned-bucket.js";

/**
 * The buckets a KvOwner holds in memory, and the loads in progress, for the
 * current generation: `clear` starts a new one, and a load that began in an
 * older generation is handed to its caller but not kept.
 */
export class LoadedBuckets {
  private readonly buckets = new Map<BucketId, OwnedBucket>();
  private readonly loading = new Map<BucketId, Promise<OwnedBucket>>();
  private current = 0;

  constructor(private readonly load: (ref: BucketRef) => Promise<OwnedBucket>) {}

  get generation(): number {
    return this.current;
  }

  get size(): number {
    return this.buckets.size;
  }

  get(id: BucketId): OwnedBucket | undefined {
    return this.buckets.get(id);
  }

  delete(id: BucketId): void {
    this.buckets.delete(id);
  }

  refs(): BucketRef[] {
    return [...this.buckets.values()].map((b) => b.ref);
  }

  /** The loaded bucket, or one load shared by everyone asking for it meanwhile. */
  open(ref: BucketRef): Promise<OwnedBucket> {
    const hit = this.buckets.get(ref.id);
    if (hit) return Promise.resolve(hit);
    let pending = this.loading.get(ref.id);
    if (!pending) {
      const generation = this.current;
      const loading = this.load(ref)
        .then((b) => {
          if (generation === this.current) this.buckets.set(ref.id, b);
          return b;
        })
        .finally(() => {
          if (this.loading.get(ref.id) === loading) this.loading.delete(ref.id);
        });
      this.loading.set(ref.id, (pending = loading));
    }
    return pending;
  }

  /** A new generation: everything held or loading is forgotten. */
  clear(): void {
    this.current++;
    this.buckets.clear();
    this.loading.clear();
  }

  updateConfig(id: BucketId, config: KvConfig): void {
    const b = this.buckets.get(id);
    if (b) b.config = config;
  }

  /** A batch committed: the database's counters, and the buckets it found deleted. */
  committed(outcome: KvCommitOutcome): void {
    for (const c of outcome.buckets) this.buckets.get(c.bucketId)?.committed(c);
    for (const id of outcome.missing) this.buckets.delete(id);
  }

  /** Forgets buckets unused since `horizon` (epoch ms); returns how many. */
  evictIdle(horizon: number): number {
    let n = 0;
    for (const [id, b] of this.buckets) {
      if (b.lastUsed < horizon) {
        this.buckets.delete(id);
        n++;
      }
    }
    return n;
  }
}
