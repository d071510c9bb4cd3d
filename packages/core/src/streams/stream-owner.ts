import { type Bus } from "../bus/bus.js";
import { type Clock } from "../common/clock.js";
import { GroupCommitter } from "../common/group-committer.js";
import { NotOwner } from "../cluster/cluster.js";
import { HandOverHolds } from "../cluster/hand-over-holds.js";
import { planAppend } from "./append-plan.js";
import {
  type CommitStats,
  type Claimer,
  type StreamEvent,
  type StreamOwnerOptions,
  type StreamRef,
  streamTopic,
} from "./owner-ports.js";
import { OwnedStream } from "./owned-stream.js";
import { type AppendItem, buildBatch, minLimit } from "./stream-batch.js";
import {
  CommitFailed,
  Fenced,
  MessageTooLarge,
  StreamNotFound,
  WrongLastSeq,
} from "./stream.errors.js";
import { type MessageLog, type PendingRow, type Removal } from "./stream-store.js";
import {
  type AckLevel,
  type AppendOptions,
  type AppendResult,
  type Message,
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
    if (opts.expectedLastSeq !== undefined && opts.expectedLastSeq !== st.lastSeq) {
      throw new WrongLastSeq(opts.expectedLastSeq, st.lastSeq);
    }
    // A message larger than the whole stream may hold could only be stored by discarding itself.
    const max = minLimit(st.config.maxMessageBytes, st.config.maxBytes);
    if (max !== null && messages.some((m) => m.value.byteLength > max)) {
      throw new MessageTooLarge(max);
    }

    const { seqs, fresh, twinOf, waits } = planAppend(st, messages, now);
    const freshBytes = fresh.reduce((n, k) => n + messages[k]!.value.byteLength, 0);
    if (fresh.length > 0) st.checkDiscardNew(fresh.length, freshBytes);

    let committed: Promise<void> = Promise.resolve();
    let ts = st.lastTs;
    if (fresh.length > 0) {
      ts = st.nextTs(now);
      const rows: PendingRow[] = fresh.map((k) => {
        const m = messages[k]!;
        const seq = ++st.lastSeq;
        seqs[k]!.seq = seq;
        return {
          streamId: st.id,
          seq,
          ts: new Date(ts),
          headers: m.headers ?? null,
          value: m.value,
          msgId: m.msgId ?? null,
        };
      });
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

  async deleteOne(ref: StreamRef, seq: number): Promise<boolean> {
    const r = await this.removal(ref, () => this.log.deleteOne(this.options.node.id, ref.id, seq));
    return r !== null;
  }

  async deleteUpTo(ref: StreamRef, upToSeq: number): Promise<Removal> {
    const r = await this.removal(ref, () =>
      this.log.deleteUpTo(this.options.node.id, ref.id, upToSeq),
    );
    return r!;
  }

  async purge(ref: StreamRef): Promise<Removal> {
    const st = await this.open(ref);
    return this.deleteUpTo(ref, st.lastSeq);
  }

  /** Age retention for the loaded streams that have `max_age_seconds`. */
  async expireOld(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const st of [...this.streams.values()]) {
      if (st.config.maxAgeSeconds === null) continue;
      const before = new Date(now - st.config.maxAgeSeconds * 1000);
      const r = await this.log
        .deleteOlderThan(this.options.node.id, st.id, before)
        .catch((err: unknown) => {
          this.onWriteError(err, this.generation);
          return null;
        });
      if (r) st.applyRemoval(r);
    }
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
    const byStream = new Map<StreamId, Message[]>();
    for (const item of items) {
      let list = byStream.get(item.stream.id);
      if (!list) byStream.set(item.stream.id, (list = []));
      for (const r of item.rows)
        list.push({ seq: r.seq, ts: r.ts, headers: r.headers, value: r.value, msgId: r.msgId });
    }
    for (const [streamId, messages] of byStream) {
      this.bus.publish(streamTopic(streamId), { streamId, messages } satisfies StreamEvent);
    }
  }

  /** Runs a fenced delete as the owner and applies its effect to the loaded counters. */
  private async removal(
    ref: StreamRef,
    op: () => Promise<Removal | null>,
  ): Promise<Removal | null> {
    const st = await this.open(ref);
    const generation = this.generation;
    try {
      const r = await op();
      if (r) st.applyRemoval(r);
      return r;
    } catch (err) {
      throw this.onWriteError(err, generation);
    }
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
