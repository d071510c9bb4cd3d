import { type Bus } from "../bus/bus.js";
import { type Clock, epochMs } from "../common/clock.js";
import { HandOverHolds } from "../cluster/hand-over-holds.js";
import { GroupCommitter } from "../common/group-committer.js";
import { type Claimer } from "../streams/owner-ports.js";
import { CommitFailed, Fenced } from "../streams/stream.errors.js";
import { commitKvBatch, type KvItem, type KvOwnerOptions } from "./kv-batch.js";
import { BucketNotFound, KeyNotFound } from "./kv.errors.js";
import {
  type BucketId,
  type BucketRef,
  type KvBatchOutcome,
  type KvBatchPut,
  type KvCompare,
  type KvConfig,
  type KvTxnOp,
  type KvTxnResult,
  type KvWriteResult,
} from "./kv.js";
import { type KvLog } from "./kv-store.js";
import {
  batchOutcomes,
  planPutBatch,
  type PutBatchPlan,
  type Staged,
  stageExpire,
  stageTouch,
  stageWrites,
} from "./kv-stage.js";
import { LoadedBuckets } from "./loaded-buckets.js";
import { OwnedBucket, type KvPeek } from "./owned-bucket.js";

export { type KvPeek };

/**
 * Serves the buckets this node owns (placement `bucket:<id>`): assigns each
 * write the next bucket-wide revision in memory, decides preconditions
 * against the key's current state — writes accepted but not yet committed
 * included — and commits through one GroupCommitter in fenced transactions.
 * Any failed commit drops every loaded bucket (a "generation"); they reload
 * from the database, which is the only truth, so revisions stay dense.
 */
export class KvOwner {
  private readonly buckets = new LoadedBuckets(async (ref) => {
    await this.claimer.claim(`bucket:${ref.id}`, "bucket", ref.tenantId);
    const loaded = await this.log.load(ref.id);
    if (!loaded) throw new BucketNotFound(ref.name);
    return new OwnedBucket(ref, loaded, epochMs(this.clock));
  });
  private readonly committer: GroupCommitter<KvItem>;
  private nodeId: string;
  /** Buckets just handed to another node, until when: writes here are turned away meanwhile. */
  private readonly handedOver = new HandOverHolds<BucketId>(() => epochMs(this.clock));

  constructor(
    private readonly log: KvLog,
    private readonly bus: Bus,
    private readonly claimer: Claimer,
    private readonly clock: Clock,
    private readonly options: KvOwnerOptions,
  ) {
    this.nodeId = options.node.id;
    this.committer = new GroupCommitter((items, predecessor) => this.write(items, predecessor), {
      maxBatchItems: options.maxBatchItems,
      maxInFlight: options.maxInFlight,
    });
  }

  /** A put; `compare` carries `If-Match` / `If-None-Match`. */
  async put(
    ref: BucketRef,
    key: string,
    value: Uint8Array,
    opts: { ttlSeconds?: number; compare?: KvCompare } = {},
  ): Promise<KvWriteResult> {
    // Without a condition or a byte limit, a put does not need the key's old state.
    const needState = (b: OwnedBucket) => opts.compare !== undefined || b.config.maxBytes !== null;
    const staged = await this.mutate(ref, [key], needState, (b, now) => {
      if (opts.compare) b.require([opts.compare], now, false);
      return stageWrites(b, now, [{ op: "put", key, value, ttlSeconds: opts.ttlSeconds }]);
    });
    return { revision: staged!.revision! };
  }

  /**
   * Independent puts decided in one visit to the bucket: each gets its own
   * revision (in order) and outcome — refused, committed or failed alone.
   */
  async putBatch(ref: BucketRef, puts: readonly KvBatchPut[]): Promise<KvBatchOutcome[]> {
    const needState = (b: OwnedBucket) =>
      b.config.maxBytes !== null || puts.some((p) => p.compare !== undefined);
    let plan: PutBatchPlan | undefined;
    const keys = [...new Set(puts.map((p) => p.key))];
    const { committed } = await this.mutateAll(ref, keys, needState, (b, now) => {
      plan = planPutBatch(b, now, puts);
      return plan.staged;
    });
    return batchOutcomes(plan!, await Promise.allSettled(committed));
  }

  async delete(ref: BucketRef, key: string, compare?: KvCompare): Promise<KvWriteResult> {
    const staged = await this.mutate(ref, [key], true, (b, now) => {
      if (compare) b.require([compare], now, false);
      const s = stageWrites(b, now, [{ op: "delete", key }]);
      if (!s) throw new KeyNotFound(b.name, key);
      return s;
    });
    return { revision: staged!.revision! };
  }

  /** All writes or none, with one revision, if every compare holds. */
  async txn(
    ref: BucketRef,
    compares: readonly KvCompare[],
    ops: readonly KvTxnOp[],
  ): Promise<KvTxnResult> {
    const keys = [...new Set([...compares.map((c) => c.key), ...ops.map((o) => o.key)])];
    const staged = await this.mutate(ref, keys, true, (b, now) => {
      b.require(compares, now, true);
      return stageWrites(b, now, ops);
    });
    return { revision: staged?.revision ?? null };
  }

  /** Moves a live key's expiry to now + TTL (0: never), without a new revision. */
  async touch(
    ref: BucketRef,
    key: string,
    ttlSeconds?: number,
  ): Promise<{ expiresAt: Date | null }> {
    const staged = await this.mutate(ref, [key], true, (b, now) =>
      stageTouch(b, now, key, ttlSeconds),
    );
    return { expiresAt: staged!.changes[0]!.expiresAt };
  }

  /** Purges `key` if its TTL has run out: an `expire` change with its own revision. */
  async expire(ref: BucketRef, key: string): Promise<boolean> {
    const staged = await this.mutate(ref, [key], true, (b, now) => stageExpire(b, now, key));
    return staged !== null;
  }

  /** The buckets loaded here, as refs. */
  loaded(): BucketRef[] {
    return this.buckets.refs();
  }

  peek(id: BucketId): KvPeek | undefined {
    return this.buckets.get(id)?.peek();
  }

  /** Config changed (PUT): the loaded bucket follows. */
  updateConfig(id: BucketId, config: KvConfig): void {
    this.buckets.updateConfig(id, config);
  }

  /** Forget a bucket (deleted, or given up); its next use reloads it. */
  forget(id: BucketId): void {
    this.buckets.delete(id);
  }

  /** Drops idle buckets from memory (their placement rows stay ours). */
  evictIdle(idleMs: number): number {
    if (this.committer.queued > 0 || this.committer.busy > 0) return 0;
    return this.buckets.evictIdle(epochMs(this.clock) - idleMs);
  }

  /**
   * Hands a bucket over (rebalancing): stop taking its writes, let what was
   * accepted commit, forget it, then `release` gives up its placement row.
   * For `holdMs` this node turns the bucket's writes away (NotOwner, which
   * routers retry on the new owner) instead of claiming it back.
   */
  async handOver(id: BucketId, holdMs: number, release: () => Promise<void>): Promise<void> {
    this.handedOver.hold(id, holdMs);
    await this.committer.drain();
    this.buckets.delete(id);
    await release();
  }

  /** Stops serving everything at once (lease lost, or shutting down); pending writes fail retryably. */
  stepDown(reason: Error): void {
    this.failGeneration(reason);
  }

  /** Waits until every accepted write has been committed or failed. */
  drain(): Promise<void> {
    return this.committer.drain();
  }

  get loadedBuckets(): number {
    return this.buckets.size;
  }

  /**
   * Loads what `decide` needs (the bucket; with `needState` the keys), then
   * runs it synchronously — nothing else can change the bucket between its
   * checks and its staging — and waits for the staged changes to commit.
   */
  private async mutate(
    ref: BucketRef,
    keys: readonly string[],
    needState: boolean | ((b: OwnedBucket) => boolean),
    decide: (b: OwnedBucket, now: number) => Staged | null,
  ): Promise<Staged | null> {
    const one = (b: OwnedBucket, now: number) => [decide(b, now)].filter((s) => s !== null);
    const { staged, committed } = await this.mutateAll(ref, keys, needState, one);
    if (!staged[0]) return null;
    await committed[0];
    return staged[0];
  }

  /** `mutate` for several writes: queued at once, in revision order; each settles on its own. */
  private async mutateAll(
    ref: BucketRef,
    keys: readonly string[],
    needState: boolean | ((b: OwnedBucket) => boolean),
    decide: (b: OwnedBucket, now: number) => Staged[],
  ): Promise<{ staged: Staged[]; committed: Promise<void>[] }> {
    for (let attempt = 0; ; attempt++) {
      this.assertServing(ref.id);
      // Rejoined as a new incarnation: whatever the old one held in memory is void.
      if (this.nodeId !== this.options.node.id) this.failGeneration(new Fenced(this.nodeId));
      const b = await this.buckets.open(ref);
      let staged: Staged[];
      b.pin(keys);
      try {
        const load = typeof needState === "function" ? needState(b) : needState;
        const unknown = load ? b.unknown(keys) : [];
        if (unknown.length > 0) {
          const rows = await this.log.loadKeys(b.id, unknown);
          if (this.buckets.get(b.id) === b) b.fill(unknown, rows);
        }
        if (this.buckets.get(b.id) !== b) {
          if (attempt >= 3) throw new CommitFailed("The bucket was reloaded; retry.");
          continue;
        }
        // Again after the awaits: a hand-over that began meanwhile must not see this commit after it.
        this.assertServing(b.id);
        const now = epochMs(this.clock);
        staged = decide(b, now);
        b.lastUsed = now;
      } finally {
        b.unpin(keys);
      }
      return { staged, committed: staged.map((s) => this.enqueue(b, s)) };
    }
  }

  /** Throws NotOwner while the bucket is being handed over. */
  private assertServing(id: BucketId): void {
    this.handedOver.assertServing(id, `bucket:${id}`);
  }

  private enqueue(b: OwnedBucket, staged: Staged): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const { revision, changes, bytesDelta } = staged;
      const generation = this.buckets.generation;
      this.committer.add({ generation, bucket: b, revision, changes, bytesDelta, resolve, reject });
    });
  }

  private async write(items: KvItem[], predecessor: Promise<unknown>): Promise<void> {
    const live = items.filter((i) => i.generation === this.buckets.generation);
    for (const stale of items)
      if (stale.generation !== this.buckets.generation)
        stale.reject(new CommitFailed("The bucket was reloaded; retry."));
    if (live.length === 0) return;
    const generation = live[0]!.generation;
    try {
      await commitKvBatch(this.log, this.nodeId, live, predecessor, {
        ...this.options,
        bus: this.bus,
        buckets: this.buckets,
      });
    } catch (err) {
      const failure = this.onWriteError(err, generation);
      for (const item of live) item.reject(failure);
      throw failure;
    }
  }

  private onWriteError(err: unknown, generation: number): Error {
    const failure =
      err instanceof Fenced || err instanceof CommitFailed
        ? err
        : new CommitFailed(`The write was not committed: ${(err as Error).message}`);
    if (generation === this.buckets.generation) {
      this.failGeneration(failure);
      if (failure instanceof Fenced) this.options.onFenced?.(failure);
    }
    return failure;
  }

  private failGeneration(reason: Error): void {
    this.nodeId = this.options.node.id;
    this.buckets.clear();
    for (const item of this.committer.reset()) item.reject(reason);
  }
}
