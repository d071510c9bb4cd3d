import { type Bus, BUS_RESYNC } from "../bus/bus.js";
import { ValidationFailed } from "../errors.js";
import { authorize } from "../tenants/key-authenticator.js";
import { type Principal } from "../tenants/api-key.js";
import { type AppendDone, type StreamRef, type StreamEvent, streamTopic } from "./stream-owner.js";
import { ConsumerNotFound, Fenced, MessageNotFound, StreamNotFound } from "./stream.errors.js";
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
import { type TenantId } from "../tenants/tenant.js";
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
  /** Whether `tryAppend` can take appends to the stream now (it is served here, loaded). */
  canAppendNow(id: StreamId): boolean;
  /** `append` without waiting, on this node's owner; see StreamOwner.tryAppend. */
  tryAppend(
    ref: StreamRef,
    messages: readonly NewMessage[],
    opts: AppendOptions,
    done: AppendDone,
  ): boolean;
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

/**
 * Tenant quotas as appends meet them (TenantQuotaGuard): all of a call's
 * messages are admitted or none, before any reaches the owner; a refusal
 * throws TooManyRequests (retry later) or ExceedsQuota (never fits: split it).
 */
export interface AppendAdmission {
  /** Admits without waiting, or answers undefined when it cannot tell without a lookup. */
  admitAppendNow(tenantId: TenantId, messages: number, bytes: number): true | undefined;
  admitAppend(tenantId: TenantId, messages: number, bytes: number): Promise<void>;
}

export interface StreamInfo extends Stream {
  readonly consumers: readonly Consumer[];
  readonly owner: { nodeId: string | null; epoch: number } | null;
}

/**
 * The streams use cases, each checking the caller's scope and name patterns
 * and scoping every lookup to the caller's tenant (another tenant's stream is
 * "not found"). Appends pass the tenant's quotas here, whichever transport
 * brought them.
 */
/** Where every node hears of stream config changes and deletes (their caches drop the stream). */
export const STREAM_CATALOG_TOPIC = "streams:catalog";

/** A change to the catalog, on `STREAM_CATALOG_TOPIC`. */
export interface StreamCatalogEvent {
  readonly id: StreamId;
  readonly tenantId: TenantId;
  readonly name: string;
  /** The new config; absent when the stream was deleted. */
  readonly config?: StreamConfig;
}

/**
 * How long a looked-up stream is trusted. Changes made through any node reach
 * the others over the bus at once; this bounds how late one is seen if the
 * bus dropped the event (a stream deleted meanwhile still fails its appends).
 */
const STREAM_REF_TTL_MS = 60_000;

export class StreamsService {
  private readonly refs = new StreamRefCache(STREAM_REF_TTL_MS);
  private readonly live = new Set<StreamSubscription>();
  private readonly fetchStream = (tenantId: string, name: string) =>
    this.catalog.get(tenantId as TenantId, name);

  constructor(
    private readonly catalog: StreamCatalog,
    private readonly router: StreamRouter,
    private readonly log: MessageLog,
    private readonly consumers: ConsumerStore,
    private readonly bus: Bus,
    private readonly admission?: AppendAdmission,
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
        this.announce(created, created.config);
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
    this.announce(updated, updated.config);
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
    this.announce(gone);
    this.refs.delete(p.tenant.id, name);
    this.router.forget(gone.id);
  }

  async append(
    p: Principal,
    name: string,
    messages: readonly NewMessage[],
    opts: AppendOptions,
  ): Promise<AppendResult> {
    const fast = await new Promise<AppendResult | null>((resolve, reject) => {
      const taken = this.tryAppend(p, name, messages, opts, (err, result) =>
        err ? reject(err) : resolve(result!),
      );
      if (!taken) resolve(null);
    });
    if (fast) return fast;
    await this.admission?.admitAppend(p.tenant.id, messages.length, bytesOf(messages));
    try {
      return await this.router.append(await this.ref(p, name), messages, opts);
    } catch (err) {
      // A cached stream may have been deleted (and perhaps re-created) elsewhere: look again once.
      if (!(err instanceof StreamNotFound) || !this.refs.get(p.tenant.id, name)) throw err;
      this.refs.delete(p.tenant.id, name);
      return this.router.append(await this.ref(p, name), messages, opts);
    }
  }

  /**
   * The append hot path: when the stream is known, served by this node and
   * loaded, and the tenant's quotas are at hand, the append is accepted
   * without awaiting anything and `done` is called once its ack level is
   * reached. Otherwise answers false having done nothing (then `append`).
   * Throws (nothing accepted) for a request that cannot succeed.
   */
  tryAppend(
    p: Principal,
    name: string,
    messages: readonly NewMessage[],
    opts: AppendOptions,
    done: AppendDone,
  ): boolean {
    authorize(p, "streams:write", name);
    const tenant = p.tenant.id;
    const ref = this.refs.current(tenant, name, this.fetchStream);
    if (!ref || !this.router.canAppendNow(ref.id)) return false;
    const bytes = bytesOf(messages);
    if (
      this.admission &&
      this.admission.admitAppendNow(tenant, messages.length, bytes) === undefined
    )
      return false;
    const retryIfUnwritten: AppendDone = (err, result) => {
      if (err instanceof Fenced) {
        // Nothing was written and this node stepped down: the router finds the new owner.
        this.router.append(ref, messages, opts).then((r) => done(null, r), done);
      } else if (err instanceof StreamNotFound) {
        // Deleted (and perhaps re-created) since it was cached: look it up again, once.
        this.refs.delete(tenant, name);
        this.ref(p, name)
          .then((fresh) => this.router.append(fresh, messages, opts))
          .then((r) => done(null, r), done);
      } else done(err, result);
    };
    return this.router.tryAppend(ref, messages, opts, retryIfUnwritten);
  }

  /**
   * Follows catalog changes made on every node (this one included): the
   * cached stream goes, and a stream loaded here takes the new config or is
   * forgotten. Resolves once listening; the result stops it.
   */
  watchCatalog(): Promise<() => void> {
    return this.bus.subscribe(STREAM_CATALOG_TOPIC, (e) => {
      // Events may have been lost: forget every cached stream.
      if (e === BUS_RESYNC) return this.refs.clear();
      const { id, tenantId, name, config } = e as StreamCatalogEvent;
      this.refs.delete(tenantId, name);
      if (config) this.router.updateConfig(id, config);
      else this.router.forget(id);
    });
  }

  private announce(s: Stream, config?: StreamConfig): void {
    const event: StreamCatalogEvent = { id: s.id, tenantId: s.tenantId, name: s.name };
    this.bus.publish(STREAM_CATALOG_TOPIC, config ? { ...event, config } : event);
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

  /** Creating or deleting a consumer changes the stream's configuration: `streams:write`. */
  async putConsumer(p: Principal, name: string, consumer: string, ackedSeq: number | undefined) {
    authorize(p, "streams:write", name);
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
    authorize(p, "streams:write", name);
    const stream = await this.require(p, name);
    if (!(await this.consumers.delete(stream.id, consumer)))
      throw new ConsumerNotFound(name, consumer);
  }

  /**
   * Acking is the read side of a consumer (as in JetStream): a reader records
   * how far it got, so `streams:read` suffices; it only moves an existing
   * consumer (an unknown one is not found, never created).
   */
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
    const tenant = p.tenant.id;
    const stream = await this.refs.load(tenant, name, this.fetchStream);
    if (!stream) throw new StreamNotFound(name);
    return stream;
  }

  private async ref(p: Principal, name: string): Promise<StreamRef> {
    const s = await this.require(p, name);
    return { id: s.id, tenantId: s.tenantId, name: s.name, config: s.config };
  }
}

function bytesOf(messages: readonly NewMessage[]): number {
  let n = 0;
  for (const m of messages) n += m.value.byteLength;
  return n;
}

function tryAuthorize(p: Principal, name: string): boolean {
  try {
    authorize(p, "streams:read", name);
    return true;
  } catch {
    return false;
  }
}
