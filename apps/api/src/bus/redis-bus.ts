import { type Bus, BUS_RESYNC, InProcessBus } from "@strata/core";
import { Redis } from "ioredis";
import { Packr } from "msgpackr";

const packr = new Packr({ useRecords: false });

interface Envelope {
  readonly origin: string;
  readonly event: unknown;
}

/**
 * The cluster bus on Redis pub/sub. Handlers on this node get events
 * straight from the in-process bus; other nodes get them through Redis
 * (msgpack, so message values stay binary). Each node subscribes to a Redis
 * channel once per topic, however many local handlers it has. Redis keeps no
 * data: if it goes away, events are dropped (never queued without bound) and
 * every handler is told to resync from storage when the connection is back.
 */
export class RedisBus implements Bus {
  private readonly local = new InProcessBus();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly counts = new Map<string, number>();
  private wasReady = false;

  private readonly channelPrefix: string;

  constructor(
    url: string,
    private readonly origin: string,
    prefix = "strata",
  ) {
    this.channelPrefix = `${prefix}:bus:`;
    const options = { maxRetriesPerRequest: null, lazyConnect: false } as const;
    this.pub = new Redis(url, { ...options, enableOfflineQueue: false });
    this.sub = new Redis(url, options);
    this.pub.on("error", () => {});
    this.sub.on("error", () => {});
    this.sub.on("messageBuffer", (channel: Buffer, payload: Buffer) =>
      this.onMessage(channel, payload),
    );
    this.sub.on("ready", () => {
      // A reconnect: anything published meanwhile is lost to us, so every handler re-reads.
      if (this.wasReady)
        for (const topic of this.counts.keys()) this.local.publish(topic, BUS_RESYNC);
      this.wasReady = true;
    });
  }

  publish(topic: string, event: unknown): void {
    this.local.publish(topic, event);
    if (this.pub.status !== "ready") return;
    const payload = packr.pack({ origin: this.origin, event } satisfies Envelope);
    this.pub.publish(this.channelPrefix + topic, payload).catch(() => {});
  }

  async subscribe(topic: string, handler: (event: unknown) => void): Promise<() => void> {
    const off = await this.local.subscribe(topic, handler);
    const n = (this.counts.get(topic) ?? 0) + 1;
    this.counts.set(topic, n);
    if (n === 1) await this.sub.subscribe(this.channelPrefix + topic);
    return () => {
      off();
      const left = (this.counts.get(topic) ?? 1) - 1;
      if (left > 0) return void this.counts.set(topic, left);
      this.counts.delete(topic);
      this.sub.unsubscribe(this.channelPrefix + topic).catch(() => {});
    };
  }

  async close(): Promise<void> {
    await this.local.close();
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private onMessage(channel: Buffer, payload: Buffer): void {
    let envelope: Envelope;
    try {
      envelope = packr.unpack(payload) as Envelope;
    } catch {
      return; // not ours
    }
    if (envelope.origin === this.origin) return;
    this.local.publish(channel.toString().slice(this.channelPrefix.length), envelope.event);
  }
}
