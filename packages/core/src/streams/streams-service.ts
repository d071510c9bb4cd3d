import { type Bus, BUS_RESYNC } from "../bus/bus.js";
import { ValidationFailed } from "../errors.js";
import { authorize } from "../tenants/key-authenticator.js";
import { type Principal } from "../tenants/api-key.js";
import { type StreamRef, type StreamEvent, streamTopic } from "./stream-owner.js";
import { ConsumerNotFound, MessageNotFound, StreamNotFound } from "./stream.errors.js";
import { StreamRefCache } from "./stream-ref-cache.js";
import { applyConfigBody, type StreamConfigBody } from "./stream.schemas.js";
import {
  type Consumer,
  type ConsumerStore,
  type MessageLog,
  type Removal,
  type StreamCatalog,
} from "./stream-store.js";
import {
  DEFAULT_SUBSCRIPTION_LIMITS,
  StreamSubscription,
  type SubscriptionSink,
} from "./stream-subscription.js";
import {
  type AppendOptions,
  type AppendResult,
  type Message,
  type NewMessage,
  type Stream,
  type StreamConfig,
  type StreamId,
} from "./stream.js";

/**
 * Writes go to the stream's owner: this node's StreamOwner on one node, a
 * forwarding router in a cluster. Same contract either way.
 */
export interface StreamRouter {
  append(
    ref: StreamRef,
    messages: readonly NewMessage[],
    opts: AppendOptions,
  ): Promise<AppendResult>;
  deleteOne(ref: StreamRef, seq: number): Promise<boolean>;
  deleteUpTo(ref: StreamRef, upToSeq: number): Promise<Removal>;
  purge(ref: StreamRef): Promise<Removal>;
  /** Live counters of the owner, when known here. */
  peek(id: StreamId): StreamCounters | undefined;
  /**
   * Live counters of the owner wherever it runs (asking it if it is another
   * node); undefined when no node has the stream loaded, so storage is exact.
   */
  counters(ref: StreamRef): Promise<StreamCounters | undefined>;
  updateConfig(id: StreamId, config: StreamConfig): void;
  forget(id: StreamId): void;
}

export interface StreamCounters {
  readonly lastSeq: number;
  readonly firstSeq: number;
  readonly messages: number;
  readonly bytes: number;
}

export interface StreamInfo extends Stream {
  readonly consumers: readonly Consumer[];
  readonly owner: { nodeId: string | null; epoch: number } | null;
}

/**
 * The streams use cases, each checking the caller's scope and name patterns
 * and scoping every lookup to the caller's tenant (another tenant's stream is
 * "not found").
 */
export class StreamsService {
  private readonly refs = new StreamRefCache();
  private readonly live = new Set<StreamSubscription>();

  constructor(
    private readonly catalog: StreamCatalog,
    private readonly router: StreamRouter,
    private readonly log: MessageLog,
    private readonly consumers: ConsumerStore,
    private readonly bus: Bus,
  ) {}

  async put(
    p: Principal,
    name: string,
    body: StreamConfigBody,
    base: StreamConfig,
  ): Promise<{ stream: Stream; created: boolean }> {
    authorize(p, "streams:write", name);
    const existing = await this.catalog.get(p.tenant.id, name);
    if (!existing) {
      const created = await this.catalog.create(p.tenant.id, name, applyConfigBody(base, body));
      if (created) {
        this.refs.set(created);
        return { stream: created, created: true };
      }
    }
    // Exists (or was created concurrently): update its config.
    const current = existing ?? (await this.require(p, name));
    const updated = await this.catalog.updateConfig(
      p.tenant.id,
      name,
      applyConfigBody(current.config, body),
    );
    if (!updated) throw new StreamNotFound(name);
    this.refs.set(updated);
    this.router.updateConfig(updated.id, updated.config);
    return { stream: updated, created: false };
  }

  async get(p: Principal, name: string): Promise<StreamInfo> {
    authorize(p, "streams:read", name);
    const stream = await this.catalog.get(p.tenant.id, name);
    if (!stream) throw new StreamNotFound(name);
    // The catalog row's counters are not maintained per commit (that would make every append
    // update one hot row); the owner's memory, or the log itself, has the truth.
    const [live, consumers, owner] = await Promise.all([
      this.liveCounters(stream),
      this.consumers.list(stream.id),
      this.catalog.owner(stream.id),
    ]);
    return { ...stream, ...live, consumers, owner };
  }

  async list(p: Principal, page: { after?: string; limit: number }): Promise<Stream[]> {
    authorize(p, "streams:read");
    const streams = await this.catalog.list(p.tenant.id, page);
    return streams.filter((s) => p.patterns.length === 0 || tryAuthorize(p, s.name));
  }

  async delete(p: Principal, name: string): Promise<void> {
    authorize(p, "streams:write", name);
    const gone = await this.catalog.delete(p.tenant.id, name);
    if (!gone) throw new StreamNotFound(name);
    this.refs.delete(p.tenant.id, name);
    this.router.forget(gone.id);
  }

  async append(
    p: Principal,
    name: string,
    messages: readonly NewMessage[],
    opts: AppendOptions,
  ): Promise<AppendResult> {
    authorize(p, "streams:write", name);
    try {
      return await this.router.append(await this.ref(p, name), messages, opts);
    } catch (err) {
      // A cached stream may have been deleted (and perhaps re-created) elsewhere: look again once.
      if (!(err instanceof StreamNotFound) || !this.refs.get(p.tenant.id, name)) throw err;
      this.refs.delete(p.tenant.id, name);
      return this.router.append(await this.ref(p, name), messages, opts);
    }
  }

  /** A range from `fromSeq`; with `waitSeconds`, waits that long for the first message when there is none. */
  async read(
    p: Principal,
    name: string,
    fromSeq: number,
    limit: number,
    waitSeconds = 0,
  ): Promise<Message[]> {
    authorize(p, "streams:read", name);
    const stream = await this.require(p, name);
    const read = () =>
      this.log.read(stream.id, fromSeq, limit, DEFAULT_SUBSCRIPTION_LIMITS.pageBytes * 4);
    if (waitSeconds <= 0) return read();
    // Listen before reading, so a message committed in between still wakes us.
    let wake: () => void = () => {};
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const unsubscribe = await this.bus.subscribe(streamTopic(stream.id), (e) => {
      if (e === BUS_RESYNC || (e as StreamEvent).messages.some((m) => m.seq >= fromSeq)) wake();
    });
    try {
      const first = await read();
      if (first.length > 0) return first;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        woken,
        new Promise<void>((r) => (timer = setTimeout(r, waitSeconds * 1000))),
      ]);
      clearTimeout(timer);
      return await read();
    } finally {
      unsubscribe();
    }
  }

  async readOne(p: Principal, name: string, seq: number): Promise<Message> {
    authorize(p, "streams:read", name);
    const stream = await this.require(p, name);
    const message = await this.log.readOne(stream.id, seq);
    if (!message) throw new MessageNotFound(name, seq);
    return message;
  }

  async deleteOne(p: Principal, name: string, seq: number): Promise<void> {
    authorize(p, "streams:write", name);
    if (!(await this.router.deleteOne(await this.ref(p, name), seq)))
      throw new MessageNotFound(name, seq);
  }

  async deleteUpTo(p: Principal, name: string, upToSeq: number | undefined): Promise<Removal> {
    authorize(p, "streams:write", name);
    const ref = await this.ref(p, name);
    return upToSeq === undefined ? this.router.purge(ref) : this.router.deleteUpTo(ref, upToSeq);
  }

  /** Checks access and resolves the start position; returns the subscription unstarted. */
  async subscribe(
    p: Principal,
    name: string,
    from: { seq?: number; consumer?: string },
    sink: SubscriptionSink,
  ): Promise<StreamSubscription> {
    authorize(p, "streams:read", name);
    const stream = await this.require(p, name);
    let fromSeq = from.seq;
    if (from.consumer !== undefined) {
      const consumer = await this.consumers.get(stream.id, from.consumer);
      if (!consumer) throw new ConsumerNotFound(name, from.consumer);
      fromSeq ??= consumer.ackedSeq + 1;
    }
    // Not started: the caller keeps a reference first (its sink may need it), then calls start().
    const sub = new StreamSubscription(this.bus, this.log, stream.id, fromSeq ?? 1, sink);
    this.live.add(sub);
    sub.onClose(() => this.live.delete(sub));
    return sub;
  }

  /** Live subscriptions on this node, with how far each has got (for lag figures). */
  subscriptions(): { streamId: StreamId; nextSeq: number; state: string }[] {
    return [...this.live].map((s) => ({
      streamId: s.streamId,
      nextSeq: s.position,
      state: s.state,
    }));
  }

  async putConsumer(p: Principal, name: string, consumer: string, ackedSeq: number | undefined) {
    authorize(p, "streams:read", name);
    const stream = await this.require(p, name);
    return this.consumers.upsert(stream.id, consumer, ackedSeq);
  }

  private async liveCounters(stream: Stream): Promise<StreamCounters> {
    const live = this.router.peek(stream.id) ?? (await this.router.counters(stream));
    if (live) return live;
    const { firstSeq, lastSeq, messages, bytes } = await this.log.load(stream.id, 0);
    return { firstSeq, lastSeq, messages, bytes };
  }

  async getConsumer(
    p: Principal,
    name: string,
    consumer: string,
  ): Promise<{ consumer: Consumer; head: number; lag: number }> {
    authorize(p, "streams:read", name);
    const stream = await this.require(p, name);
    const c = await this.consumers.get(stream.id, consumer);
    if (!c) throw new ConsumerNotFound(name, consumer);
    const head =
      this.router.peek(stream.id)?.lastSeq ?? (await this.log.load(stream.id, 0)).lastSeq;
    return { consumer: c, head, lag: Math.max(0, head - c.ackedSeq) };
  }

  async deleteConsumer(p: Principal, name: string, consumer: string): Promise<void> {
    authorize(p, "streams:read", name);
    const stream = await this.require(p, name);
    if (!(await this.consumers.delete(stream.id, consumer)))
      throw new ConsumerNotFound(name, consumer);
  }

  async ackConsumer(p: Principal, name: string, consumer: string, seq: number): Promise<Consumer> {
    authorize(p, "streams:read", name);
    const stream = await this.require(p, name);
    const head = this.router.peek(stream.id)?.lastSeq;
    if (head !== undefined && seq > head) {
      throw new ValidationFailed([
        { path: "seq", message: `is beyond the stream's last seq (${head})` },
      ]);
    }
    const c = await this.consumers.ack(stream.id, consumer, seq);
    if (!c) throw new ConsumerNotFound(name, consumer);
    return c;
  }

  private async require(p: Principal, name: string): Promise<Stream> {
    const cached = this.refs.get(p.tenant.id, name);
    if (cached) return cached;
    const stream = await this.catalog.get(p.tenant.id, name);
    if (!stream) throw new StreamNotFound(name);
    this.refs.set(stream);
    return stream;
  }

  private async ref(p: Principal, name: string): Promise<StreamRef> {
    const s = await this.require(p, name);
    return { id: s.id, tenantId: s.tenantId, name: s.name, config: s.config };
  }
}

function tryAuthorize(p: Principal, name: string): boolean {
  try {
    authorize(p, "streams:read", name);
    return true;
  } catch {
    return false;
  }
}
