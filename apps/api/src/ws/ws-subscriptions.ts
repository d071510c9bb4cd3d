import {
  type Message,
  type Principal,
  type ServerFrame,
  StrataError,
  type StreamsService,
  type StreamSubscription,
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

interface Sub {
  subscription: StreamSubscription | undefined;
  closed: boolean;
  paused: boolean;
}

/**
 * The subscriptions of one connection, by the client's `sub` id. Each is a
 * core StreamSubscription (backlog, then live, exactly once) whose sink is
 * the socket: when the socket is full the subscription pauses, holding
 * nothing, and the client is told with `slow_consumer`.
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
    if (this.subs.has(f.sub)) throw new SubscriptionExists(f.sub);
    if (this.subs.size >= this.host.maxSubscriptions) {
      throw new TooManySubscriptions(this.host.maxSubscriptions);
    }
    const s: Sub = { subscription: undefined, closed: false, paused: false };
    this.subs.set(f.sub, s);
    void this.open(f, s);
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
      const subscription = s.subscription;
      if (!s.paused || !subscription) continue;
      this.host.catchUps.admit(subscription, () => {
        s.paused = false;
        if (!s.closed) subscription.resume();
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
        paused: (nextSeq) => {
          s.paused = true;
          host.send({ type: "slow_consumer", sub: f.sub, next_seq: nextSeq });
          host.paused();
        },
        failed: (err) => {
          this.end(f.sub, s);
          host.logger.warn({ err: err.message, stream: f.stream }, "subscription failed");
          const cause = err instanceof StrataError ? err : new SubscriptionFailed(err.message);
          host.sendError(cause, { sub: f.sub });
        },
      });
      if (s.closed) {
        subscription.close();
        return;
      }
      s.subscription = subscription;
      // Before start(): `subscribed` precedes the subscription's first `msgs`.
      host.send({ type: "subscribed", id: f.id, sub: f.sub, next_seq: subscription.position });
      host.catchUps.admit(subscription, () => void this.start(f, s, subscription));
    } catch (err) {
      this.fail(f, s, err);
    }
  }

  private async start(f: SubscribeFrame, s: Sub, subscription: StreamSubscription) {
    if (s.closed) return;
    try {
      await subscription.start();
    } catch (err) {
      this.fail(f, s, err);
    }
  }

  private fail(f: SubscribeFrame, s: Sub, err: unknown): void {
    if (s.closed) return;
    this.end(f.sub, s);
    this.host.sendError(err, { id: f.id, sub: f.sub });
  }

  private end(sub: SubId, s: Sub): void {
    s.closed = true;
    s.subscription?.close();
    if (this.subs.get(sub) === s) this.subs.delete(sub);
  }
}
