import {
  type Message,
  type Principal,
  type ServerFrame,
  StrataError,
  type StreamsService,
  type SubId,
  type SubscribeFrame,
  type UnsubscribeFrame,
} from "@strata/core";
import { type Logger } from "@nestjs/common";
import { SubscriptionExists, SubscriptionFailed, TooManySubscriptions } from "./ws-errors.js";
import { type CatchUpGate } from "./ws-flow.js";

/** What the subscriptions need of their connection. */
export interface SubscriptionHost {
  readonly principal: Principal;
  readonly streams: StreamsService;
  readonly catchUps: CatchUpGate;
  readonly logger: Logger;
  readonly maxSubscriptions: number;
  /** Writes one delivery; false when the socket is now too full for more. */
  deliver(sub: SubId, messages: readonly Message[]): boolean;
  /** A subscription paused: call `drained()` once the socket has room. */
  paused(): void;
  send(frame: ServerFrame): void;
  sendError(err: unknown, ref: { id?: string | number; sub?: SubId }): void;
}

/**
 * What a subscription reads from: a core StreamSubscription or KvWatch
 * (backlog, then live, exactly once; paused by a full sink, resumed from storage).
 */
export interface Feed {
  readonly state: "catching_up" | "live" | "paused" | "closed";
  start(): Promise<void>;
  resume(): void;
  close(): void;
}

/** One `sub` id of the connection; `feed` is set once it opened. */
export interface Sub {
  feed: Feed | undefined;
  closed: boolean;
  paused: boolean;
}

type Ref = { id: string | number; sub: SubId };

/**
 * The subscriptions of one connection, by the client's `sub` id: stream
 * subscriptions and KV watches share the ids, the limit and `unsubscribe`.
 * Each feed's sink is the socket: when the socket is full the feed pauses,
 * holding nothing, and the client is told with `slow_consumer`.
 */
export class ConnectionSubscriptions {
  private readonly subs = new Map<SubId, Sub>();

  constructor(private readonly host: SubscriptionHost) {}

  get count(): number {
    return this.subs.size;
  }

  get pausedCount(): number {
    let n = 0;
    for (const s of this.subs.values()) if (s.paused) n++;
    return n;
  }

  subscribe(f: SubscribeFrame): void {
    void this.open(f, this.claim(f.sub));
  }

  /** Takes a `sub` id for a feed about to open; throws when it is in use or the limit is reached. */
  claim(sub: SubId): Sub {
    if (this.subs.has(sub)) throw new SubscriptionExists(sub);
    if (this.subs.size >= this.host.maxSubscriptions) {
      throw new TooManySubscriptions(this.host.maxSubscriptions);
    }
    const s: Sub = { feed: undefined, closed: false, paused: false };
    this.subs.set(sub, s);
    return s;
  }

  /**
   * The feed opened: sends `answer` (before start(), so it precedes the
   * feed's first delivery), then starts the feed when a catch-up turn is free.
   */
  opened(ref: Ref, s: Sub, feed: Feed, answer: ServerFrame): void {
    if (s.closed) {
      feed.close();
      return;
    }
    s.feed = feed;
    this.host.send(answer);
    this.host.catchUps.admit(feed, () => void this.start(ref, s, feed));
  }

  /** The feed paused on a full socket. */
  paused(s: Sub, frame: ServerFrame): void {
    s.paused = true;
    this.host.send(frame);
    this.host.paused();
  }

  /** The feed stopped on its own (storage failed, history compacted): the `sub` ends. */
  failed(sub: SubId, s: Sub, err: Error, what: Record<string, unknown>): void {
    this.end(sub, s);
    this.host.logger.warn({ err: err.message, ...what }, "subscription failed");
    const cause = err instanceof StrataError ? err : new SubscriptionFailed(err.message);
    this.host.sendError(cause, { sub });
  }

  /** Opening or starting the feed failed: answers the frame that asked for it. */
  fail(ref: Ref, s: Sub, err: unknown): void {
    if (s.closed) return;
    this.end(ref.sub, s);
    this.host.sendError(err, ref);
  }

  /** Idempotent: unsubscribing a subscription that ended (or never was) is not an error. */
  unsubscribe(f: UnsubscribeFrame): void {
    const s = this.subs.get(f.sub);
    if (s) this.end(f.sub, s);
    this.host.send({ type: "unsubscribed", id: f.id, sub: f.sub });
  }

  /** The socket has room again: paused subscriptions take turns reading what they missed. */
  drained(): void {
    for (const s of this.subs.values()) {
      const feed = s.feed;
      if (!s.paused || !feed) continue;
      this.host.catchUps.admit(feed, () => {
        s.paused = false;
        if (!s.closed) feed.resume();
      });
    }
  }

  closeAll(): void {
    for (const [sub, s] of this.subs) this.end(sub, s);
  }

  private async open(f: SubscribeFrame, s: Sub): Promise<void> {
    const host = this.host;
    try {
      const from = { seq: f.from_seq, consumer: f.consumer };
      const subscription = await host.streams.subscribe(host.principal, f.stream, from, {
        deliver: (messages) => s.closed || host.deliver(f.sub, messages),
        paused: (nextSeq) =>
          this.paused(s, { type: "slow_consumer", sub: f.sub, next_seq: nextSeq }),
        failed: (err) => this.failed(f.sub, s, err, { stream: f.stream }),
      });
      const next = subscription.position;
      this.opened(f, s, subscription, { type: "subscribed", id: f.id, sub: f.sub, next_seq: next });
    } catch (err) {
      this.fail(f, s, err);
    }
  }

  private async start(ref: Ref, s: Sub, feed: Feed) {
    if (s.closed) return;
    try {
      await feed.start();
    } catch (err) {
      this.fail(ref, s, err);
    }
  }

  private end(sub: SubId, s: Sub): void {
    s.closed = true;
    s.feed?.close();
    if (this.subs.get(sub) === s) this.subs.delete(sub);
  }
}
