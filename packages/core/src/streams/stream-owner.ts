import { type Bus } from "../bus/bus.js";
import { type Clock } from "../common/clock.js";
import { GroupCommitter } from "./group-committer.js";
import { OwnedStream } from "./owned-stream.js";
import {
  CommitFailed,
  Fenced,
  MessageTooLarge,
  StreamFull,
  StreamNotFound,
  WrongLastSeq,
} from "./stream.errors.js";
import {
  type CommitBatch,
  type MessageLog,
  type PendingRow,
  type Removal,
  type Trim,
} from "./stream-store.js";
import {
  type AckLevel,
  type AppendOptions,
  type AppendResult,
  type Message,
  type NewMessage,
  type StreamConfig,
  type StreamId,
} from "./stream.js";

/** What the owner needs to know about a stream to serve it. */
export interface StreamRef {
  readonly id: StreamId;
  readonly tenantId: string;
  readonly name: string;
  readonly config: StreamConfig;
}

/** Claims the placement row of a resource for this node (DESIGN §7); throws if another live node owns it. */
export interface Claimer {
  claim(resource: string, kind: "stream", tenantId: string): Promise<number>;
}

export interface StreamOwnerOptions {
  /** This node; its id changes when it rejoins as a new incarnation. */
  readonly node: { readonly id: string };
  readonly maxBatchItems: number;
  readonly maxInFlight: number;
  /** Whether a synchronous standby exists, i.e. whether `replicated` can be reached. */
  readonly replicationAvailable: boolean;
  /** Called once when a write finds this node fenced. */
  readonly onFenced?: (err: Fenced) => void;
}

/** The bus event for committed messages of one stream. */
export interface StreamEvent {
  readonly streamId: StreamId;
  readonly messages: readonly Message[];
}

export const streamTopic = (id: StreamId) => `stream:${id}`;

interface AppendItem {
  readonly generation: number;
  readonly stream: OwnedStream;
  readonly rows: PendingRow[];
  readonly bytes: number;
  readonly trim: Trim | null;
  readonly replicated: boolean;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

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

    // Duplicates (by msg id, inside the window) answer with the original seq and write nothing.
    const seqs: { seq: number; duplicate: boolean }[] = [];
    const twinOf = new Map<number, number>(); // index → index of the same id earlier in this request
    const firstIndex = new Map<string, number>();
    const waits: Promise<void>[] = [];
    const fresh: number[] = [];
    messages.forEach((m, k) => {
      if (m.msgId) {
        const twin = firstIndex.get(m.msgId);
        if (twin !== undefined) {
          twinOf.set(k, twin);
          seqs.push({ seq: 0, duplicate: true });
          return;
        }
        const stored = st.duplicateOf(m.msgId, now);
        if (stored) {
          seqs.push({ seq: stored.seq, duplicate: true });
          waits.push(stored.committed);
          return;
        }
        firstIndex.set(m.msgId, k);
      }
      seqs.push({ seq: 0, duplicate: false });
      fresh.push(k);
    });
    const freshBytes = fresh.reduce((n, k) => n + messages[k]!.value.byteLength, 0);
    if (fresh.length > 0) this.checkDiscardNew(st, fresh.length, freshBytes);

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
      if (r) this.applyRemoval(st, r);
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

  /** Stops serving everything at once (lease lost, or shutting down); pending appends fail retryably. */
  stepDown(reason: Error): void {
    this.failGeneration(reason);
  }

  /** Waits until every accepted append has been committed or failed. */
  drain(): Promise<void> {
    return this.committer.drain();
  }

  get loadedStreams(): number {
    return this.streams.size;
  }

  private async open(ref: StreamRef): Promise<OwnedStream> {
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

  private checkDiscardNew(st: OwnedStream, n: number, bytes: number): void {
    const { maxMessages, maxBytes, discard } = st.config;
    if (discard !== "new") return;
    if (maxMessages !== null && st.messages + n > maxMessages)
      throw new StreamFull("max_messages", maxMessages);
    if (maxBytes !== null && st.bytes + bytes > maxBytes)
      throw new StreamFull("max_bytes", maxBytes);
  }

  private enqueue(
    st: OwnedStream,
    rows: PendingRow[],
    bytes: number,
    replicated: boolean,
  ): Promise<void> {
    const trim = this.trimFor(st);
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

  /** Discard-old: how much more than already requested must go so the stream fits its limits. */
  private trimFor(st: OwnedStream): Trim | null {
    const { maxMessages, maxBytes, discard } = st.config;
    if (discard !== "old") return null;
    const dropMessages = maxMessages !== null ? Math.max(0, st.messages - maxMessages) : 0;
    const dropBytes = maxBytes !== null ? Math.max(0, st.bytes - maxBytes) : 0;
    if (dropMessages === 0 && dropBytes === 0) return null;
    // Count them as gone now, so the next append does not ask for the same trim again.
    st.messages -= dropMessages;
    st.bytes -= dropBytes;
    return { streamId: st.id, dropMessages, dropBytes };
  }

  private async write(items: AppendItem[], predecessor: Promise<unknown>): Promise<void> {
    const live = items.filter((i) => i.generation === this.generation);
    for (const stale of items)
      if (stale.generation !== this.generation)
        stale.reject(new CommitFailed("The stream was reloaded; retry."));
    if (live.length === 0) return;
    const generation = live[0]!.generation;
    const batch = buildBatch(this.options.node.id, live);
    try {
      const { trims, missing } = await this.log.commit(batch, predecessor);
      for (const t of trims) {
        const st = this.streams.get(t.streamId);
        const asked = batch.trims.find((x) => x.streamId === t.streamId)!;
        // The trim was counted at its request; correct by what it really removed.
        if (st) {
          st.messages += asked.dropMessages - t.messages;
          st.bytes += asked.dropBytes - t.bytes;
          st.firstSeq = Math.max(st.firstSeq, t.firstSeq);
        }
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
      if (r) this.applyRemoval(st, r);
      return r;
    } catch (err) {
      throw this.onWriteError(err, generation);
    }
  }

  private applyRemoval(st: OwnedStream, r: Removal): void {
    st.messages -= r.messages;
    st.bytes -= r.bytes;
    st.firstSeq = Math.max(st.firstSeq, r.firstSeq);
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

function minLimit(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function buildBatch(nodeId: string, items: AppendItem[]): CommitBatch {
  const rows: PendingRow[] = [];
  const streams = new Map<
    StreamId,
    { streamId: StreamId; lastSeq: number; messages: number; bytes: number }
  >();
  const trims = new Map<StreamId, Trim>();
  let replicated = false;
  for (const item of items) {
    rows.push(...item.rows);
    replicated ||= item.replicated;
    const s = streams.get(item.stream.id) ?? {
      streamId: item.stream.id,
      lastSeq: 0,
      messages: 0,
      bytes: 0,
    };
    s.lastSeq = Math.max(s.lastSeq, item.rows[item.rows.length - 1]!.seq);
    s.messages += item.rows.length;
    s.bytes += item.bytes;
    streams.set(item.stream.id, s);
    if (item.trim) {
      const t = trims.get(item.stream.id);
      trims.set(item.stream.id, {
        streamId: item.stream.id,
        dropMessages: (t?.dropMessages ?? 0) + item.trim.dropMessages,
        dropBytes: (t?.dropBytes ?? 0) + item.trim.dropBytes,
      });
    }
  }
  return { nodeId, replicated, rows, streams: [...streams.values()], trims: [...trims.values()] };
}
