import { type Bus } from "../bus/bus.js";
import { type Clock, epochMs } from "../common/clock.js";
import { NotOwner } from "../cluster/cluster.js";
import { HandOverHolds } from "../cluster/hand-over-holds.js";
import { type AcceptContext, acceptAppend, type AppendDone } from "./accept-append.js";
import {
  type CommitStats,
  type Claimer,
  type StreamEvent,
  type StreamOwnerOptions,
  type StreamRef,
  streamTopic,
} from "./owner-ports.js";
import { hasSizeLimits, OwnedStream } from "./owned-stream.js";
import { StreamCommits } from "./stream-commits.js";
import { StreamRemovals } from "./stream-removals.js";
import { CommitFailed, Fenced } from "./stream.errors.js";
import { type AppendItem } from "./stream-batch.js";
import { type MessageLog, type Removal } from "./stream-store.js";
import {
  type AppendOptions,
  type AppendResult,
  type NewMessage,
  type StreamConfig,
  type StreamId,
} from "./stream.js";

/**
 * Serves the streams this node owns: assigns seqs in memory, de-duplicates,
 * enforces limits, and commits through one GroupCommitter for all its
 * streams. Any failed commit drops every in-memory stream (a "generation"):
 * they reload from the database, which is the only truth, so seqs stay dense.
 */
export class StreamOwner {
  private readonly streams = new Map<StreamId, OwnedStream>();
  private readonly loading = new Map<StreamId, Promise<OwnedStream>>();
  private readonly commits: StreamCommits;
  private generation = 0;
  /** Draining: every stream is handed over, none taken. */
  private accepting = true;
  /** Streams just handed to another node, until when: appends here are turned away meanwhile. */
  private readonly handedOver = new HandOverHolds<StreamId>(() => epochMs(this.clock));
  private readonly removals: StreamRemovals;
  private readonly acceptCtx: { -readonly [K in keyof AcceptContext]: AcceptContext[K] };

  constructor(
    private readonly log: MessageLog,
    private readonly bus: Bus,
    private readonly claimer: Claimer,
    private readonly clock: Clock,
    private readonly options: StreamOwnerOptions,
  ) {
    this.commits = new StreamCommits(
      log,
      {
        nodeId: () => options.node.id,
        generation: () => this.generation,
        loaded: (id) => this.streams.get(id),
        unload: (st) => {
          if (this.streams.get(st.id) === st) this.streams.delete(st.id);
        },
        publish: (event) => this.bus.publish(streamTopic(event.streamId), event),
        onWriteError: (err, generation) => this.onWriteError(err, generation),
        ...(options.onCommit ? { onCommit: options.onCommit } : {}),
      },
      { maxBatchItems: options.maxBatchItems, maxInFlight: options.maxInFlight },
    );
    this.acceptCtx = {
      generation: 0,
      now: 0,
      replicationAvailable: options.replicationAvailable,
      enqueue: (item: AppendItem) => this.commits.add(item),
    };
    this.removals = new StreamRemovals(log, clock, options.node, {
      open: (ref) => this.open(ref),
      loaded: () => this.streams.values(),
      generation: () => this.generation,
      onWriteError: (err, generation) => this.onWriteError(err, generation),
    });
  }

  async append(
    ref: StreamRef,
    messages: readonly NewMessage[],
    opts: AppendOptions = {},
  ): Promise<AppendResult> {
    const st = await this.open(ref);
    return new Promise((resolve, reject) =>
      this.accept(st, messages, opts, (err, result) => (err ? reject(err) : resolve(result!))),
    );
  }

  /**
   * `append` without waiting for anything, when the stream is loaded here
   * (the hot path): false when it is not (then call `append`). Throws what
   * `append` would reject with, having accepted nothing; otherwise `done` is
   * called once, when the ack level is reached.
   */
  tryAppend(
    id: StreamId,
    messages: readonly NewMessage[],
    opts: AppendOptions,
    done: AppendDone,
  ): boolean {
    const st = this.streams.get(id);
    if (!st) return false;
    this.accept(st, messages, opts, done);
    return true;
  }

  /** Whether `tryAppend` takes appends to the stream now: loaded, and served here. */
  canAppendNow(id: StreamId): boolean {
    return this.accepting && this.streams.has(id) && !this.handedOver.held(id);
  }

  /**
   * From the serving check to the enqueue nothing awaits, so a hand-over or
   * drain cannot slip in between.
   */
  private accept(
    st: OwnedStream,
    messages: readonly NewMessage[],
    opts: AppendOptions,
    done: AppendDone,
  ): void {
    this.assertServing(st.id);
    // One context object, refreshed per call (acceptAppend is synchronous): no allocation per append.
    const ctx = this.acceptCtx;
    ctx.generation = this.generation;
    ctx.now = epochMs(this.clock);
    acceptAppend(st, messages, opts, ctx, done);
  }

  /** The owner's live counters (including accepted, uncommitted messages), if the stream is loaded and counted. */
  peek(
    id: StreamId,
  ): { lastSeq: number; firstSeq: number; messages: number; bytes: number } | undefined {
    const st = this.streams.get(id);
    return st?.countsKnown ? st : undefined;
  }

  /** Whether the stream is loaded here (its counts may still be on their way). */
  isLoaded(id: StreamId): boolean {
    return this.streams.has(id);
  }

  deleteOne(ref: StreamRef, seq: number): Promise<boolean> {
    return this.removals.deleteOne(ref, seq);
  }

  deleteUpTo(ref: StreamRef, upToSeq: number): Promise<Removal> {
    return this.removals.deleteUpTo(ref, upToSeq);
  }

  purge(ref: StreamRef): Promise<Removal> {
    return this.removals.purge(ref);
  }

  /** Age retention for the loaded streams that have `max_age_seconds`. */
  expireOld(): Promise<void> {
    return this.removals.expireOld();
  }

  /** Config changed (PUT): the loaded stream follows. */
  updateConfig(id: StreamId, config: StreamConfig): void {
    const st = this.streams.get(id);
    if (!st) return;
    // Limits need the counts: a stream loaded without them is loaded again, counted.
    if (!st.countsKnown && hasSizeLimits(config)) this.streams.delete(id);
    else st.config = config;
  }

  /** Forget a stream (deleted, or given up); its next use reloads it. */
  forget(id: StreamId): void {
    this.streams.delete(id);
  }

  /** Drops idle streams from memory (their placement rows stay ours). */
  evictIdle(idleMs: number): number {
    const horizon = epochMs(this.clock) - idleMs;
    let n = 0;
    for (const [id, st] of this.streams) {
      if (st.lastUsed < horizon && this.commits.idle) {
        this.streams.delete(id);
        n++;
      }
    }
    return n;
  }

  /** Takes no more work (drain); what was accepted still commits. */
  stopAccepting(): void {
    this.accepting = false;
  }

  /**
   * Hands a stream over (rebalancing): stop taking its appends, let what was
   * accepted commit, forget it, then `release` gives up its placement row. For
   * `holdMs` this node turns the stream's appends away, so they follow the
   * new placement instead of claiming it back.
   */
  async handOver(id: StreamId, holdMs: number, release: () => Promise<void>): Promise<void> {
    this.handedOver.hold(id, holdMs);
    await this.commits.drain();
    this.streams.delete(id);
    await release();
  }

  /** Stops serving everything at once (lease lost, or shutting down); pending appends fail retryably. */
  stepDown(reason: Error): void {
    this.failGeneration(reason);
  }

  /** Waits until every accepted append has been committed or failed. */
  drain(): Promise<void> {
    return this.commits.drain();
  }

  /** Placement resources (`stream:<id>`) of the streams loaded here. */
  loadedResources(): string[] {
    return [...this.streams.keys()].map((id) => `stream:${id}`);
  }

  get loadedStreams(): number {
    return this.streams.size;
  }

  /** Throws NotOwner while draining or while the stream is being handed over. */
  private assertServing(id: StreamId): void {
    if (!this.accepting) throw new NotOwner(`stream:${id}`);
    this.handedOver.assertServing(id, `stream:${id}`);
  }

  private async open(ref: StreamRef): Promise<OwnedStream> {
    this.assertServing(ref.id);
    const hit = this.streams.get(ref.id);
    if (hit) return hit;
    let pending = this.loading.get(ref.id);
    if (!pending) {
      const generation = this.generation;
      pending = (async () => {
        await this.claimer.claim(`stream:${ref.id}`, "stream", ref.tenantId);
        // Only size limits need the counts before the first append; otherwise they follow.
        const counted = hasSizeLimits(ref.config);
        const window = ref.config.dedupWindowSeconds;
        const loaded = counted
          ? await this.log.load(ref.id, window)
          : await this.log.loadHead(ref.id, window);
        const st = new OwnedStream(ref.id, ref.config, loaded, epochMs(this.clock));
        if (!counted) this.countLater(st, loaded.lastSeq);
        if (generation === this.generation) this.streams.set(ref.id, st);
        return st;
      })().finally(() => this.loading.delete(ref.id));
      this.loading.set(ref.id, pending);
    }
    return pending;
  }

  private countLater(st: OwnedStream, upToSeq: number): void {
    st.countsKnown = false;
    st.countsReady = this.log.count(st.id, upToSeq).then(
      (c) => st.addCounts(c),
      // Without its counts the stream is loaded again on its next use.
      () => {
        if (this.streams.get(st.id) === st) this.streams.delete(st.id);
      },
    );
  }

  private onWriteError(err: unknown, generation: number): Error {
    const failure =
      err instanceof Fenced || err instanceof CommitFailed
        ? err
        : new CommitFailed(`The write was not committed: ${(err as Error).message}`);
    if (generation === this.generation) {
      this.failGeneration(failure);
      if (failure instanceof Fenced) this.options.onFenced?.(failure);
    }
    return failure;
  }

  private failGeneration(reason: Error): void {
    this.generation++;
    this.streams.clear();
    this.loading.clear();
    for (const item of this.commits.reset()) item.settle(reason);
  }
}

export {
  type AppendDone,
  type CommitStats,
  type Claimer,
  type StreamEvent,
  type StreamOwnerOptions,
  type StreamRef,
  streamTopic,
};
