import { type Bus } from "../bus/bus.js";
import { type Clock } from "../common/clock.js";
import { GroupCommitter } from "../common/group-committer.js";
import { NotOwner } from "../cluster/cluster.js";
import { HandOverHolds } from "../cluster/hand-over-holds.js";
import { assignSeqs, checkAppend, planAppend } from "./append-plan.js";
import {
  type CommitStats,
  type Claimer,
  type StreamEvent,
  type StreamOwnerOptions,
  type StreamRef,
  streamTopic,
} from "./owner-ports.js";
import { OwnedStream } from "./owned-stream.js";
import { type AppendItem, appendedEvents, buildBatch } from "./stream-batch.js";
import { StreamRemovals } from "./stream-removals.js";
import { CommitFailed, Fenced, StreamNotFound } from "./stream.errors.js";
import { type MessageLog, type PendingRow, type Removal } from "./stream-store.js";
import {
  type AckLevel,
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
  private readonly committer: GroupCommitter<AppendItem>;
  private generation = 0;
  /** Draining: every stream is handed over, none taken. */
  private accepting = true;
  /** Streams just handed to another node, until when: appends here are turned away meanwhile. */
  private readonly handedOver = new HandOverHolds<StreamId>(() => this.clock.now().getTime());
  private readonly removals: StreamRemovals;

  constructor(
    private readonly log: MessageLog,
    private readonly bus: Bus,
    private readonly claimer: Claimer,
    private readonly clock: Clock,
    private readonly options: StreamOwnerOptions,
  ) {
    this.committer = new GroupCommitter((items, predecessor) => this.write(items, predecessor), {
      maxBatchItems: options.maxBatchItems,
      maxInFlight: options.maxInFlight,
    });
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
    // Again after the await: a hand-over or drain that began while this append was loading the
    // stream must not see it commit afterwards (from here to the enqueue nothing awaits).
    this.assertServing(st.id);
    const level: AckLevel = opts.ack ?? st.config.ack;
    const now = this.clock.now().getTime();
    checkAppend(st, messages, opts.expectedLastSeq);

    const plan = planAppend(st, messages, now);
    const { seqs, fresh, twinOf, waits } = plan;
    const freshBytes = fresh.reduce((n, k) => n + messages[k]!.value.byteLength, 0);
    if (fresh.length > 0) st.checkDiscardNew(fresh.length, freshBytes);

    let committed: Promise<void> = Promise.resolve();
    let ts = st.lastTs;
    if (fresh.length > 0) {
      ts = st.nextTs(now);
      const rows = assignSeqs(st, messages, plan, ts);
      st.messages += rows.length;
      st.bytes += freshBytes;
      committed = this.enqueue(st, rows, freshBytes, level === "replicated");
      for (const r of rows) if (r.msgId) st.remember(r.msgId, r.seq, ts, committed);
    }
    for (const [k, twin] of twinOf) seqs[k]!.seq = seqs[twin]!.seq;
    st.lastUsed = now;

    const result = (reached: AckLevel): AppendResult => ({
      firstSeq: seqs[0]!.seq,
      lastSeq: seqs[seqs.length - 1]!.seq,
      ts: new Date(ts),
      ack: reached,
      duplicate: fresh.length === 0,
      seqs,
    });
    if (level === "none" || level === "leader") {
      committed.catch(() => undefined);
      return result(level);
    }
    await Promise.all([committed, ...waits]);
    return result(level === "replicated" && !this.options.replicationAvailable ? "durable" : level);
  }

  /** The owner's live counters (including accepted, uncommitted messages), if the stream is loaded. */
  peek(
    id: StreamId,
  ): { lastSeq: number; firstSeq: number; messages: number; bytes: number } | undefined {
    return this.streams.get(id);
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
    if (st) st.config = config;
  }

  /** Forget a stream (deleted, or given up); its next use reloads it. */
  forget(id: StreamId): void {
    this.streams.delete(id);
  }

  /** Drops idle streams from memory (their placement rows stay ours). */
  evictIdle(idleMs: number): number {
    const horizon = this.clock.now().getTime() - idleMs;
    let n = 0;
    for (const [id, st] of this.streams) {
      if (st.lastUsed < horizon && this.committer.queued === 0 && this.committer.busy === 0) {
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
    await this.committer.drain();
    this.streams.delete(id);
    await release();
  }

  /** Stops serving everything at once (lease lost, or shutting down); pending appends fail retryably. */
  stepDown(reason: Error): void {
    this.failGeneration(reason);
  }

  /** Waits until every accepted append has been committed or failed. */
  drain(): Promise<void> {
    return this.committer.drain();
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
        const loaded = await this.log.load(ref.id, ref.config.dedupWindowSeconds);
        const st = new OwnedStream(ref.id, ref.config, loaded, this.clock.now().getTime());
        if (generation === this.generation) this.streams.set(ref.id, st);
        return st;
      })().finally(() => this.loading.delete(ref.id));
      this.loading.set(ref.id, pending);
    }
    return pending;
  }

  private enqueue(
    st: OwnedStream,
    rows: PendingRow[],
    bytes: number,
    replicated: boolean,
  ): Promise<void> {
    const trim = st.takeTrim();
    return new Promise<void>((resolve, reject) => {
      this.committer.add({
        generation: this.generation,
        stream: st,
        rows,
        bytes,
        trim,
        replicated,
        resolve,
        reject,
      });
    });
  }

  private async write(items: AppendItem[], predecessor: Promise<unknown>): Promise<void> {
    const live = items.filter((i) => i.generation === this.generation);
    for (const stale of items)
      if (stale.generation !== this.generation)
        stale.reject(new CommitFailed("The stream was reloaded; retry."));
    if (live.length === 0) return;
    const generation = live[0]!.generation;
    const batch = buildBatch(this.options.node.id, live);
    const started = performance.now();
    const report = (ok: boolean) =>
      this.options.onCommit?.({
        ok,
        messages: batch.rows.length,
        bytes: batch.streams.reduce((n, x) => n + x.bytes, 0),
        seconds: (performance.now() - started) / 1000,
      });
    try {
      const { trims, missing } = await this.log.commit(batch, predecessor);
      report(true);
      for (const t of trims) {
        const asked = batch.trims.find((x) => x.streamId === t.streamId);
        if (asked) this.streams.get(t.streamId)?.applyTrim(asked, t);
      }
      const written =
        missing.length === 0 ? live : live.filter((i) => !missing.includes(i.stream.id));
      for (const id of missing) this.streams.delete(id);
      this.publish(written);
      for (const item of live) {
        if (written.includes(item)) item.resolve();
        else item.reject(new StreamNotFound(`#${item.stream.id}`));
      }
    } catch (err) {
      report(false);
      const failure = this.onWriteError(err, generation);
      for (const item of live) item.reject(failure);
      throw failure;
    }
  }

  private publish(items: AppendItem[]): void {
    for (const event of appendedEvents(items)) this.bus.publish(streamTopic(event.streamId), event);
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
    for (const item of this.committer.reset()) item.reject(reason);
  }
}

export {
  type CommitStats,
  type Claimer,
  type StreamEvent,
  type StreamOwnerOptions,
  type StreamRef,
  streamTopic,
};
