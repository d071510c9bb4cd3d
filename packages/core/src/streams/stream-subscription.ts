import { type Bus, BUS_RESYNC } from "../bus/bus.js";
import { type StreamEvent, streamTopic } from "./stream-owner.js";
import { type MessageLog } from "./stream-store.js";
import { type Message, type StreamId } from "./stream.js";

/** Where a subscription's messages go (a WebSocket, an SSE response, a long-poll). */
export interface SubscriptionSink {
  /**
   * Takes the next messages, in order. Returns false when the transport's
   * buffer is full: the subscription then pauses (holding nothing) until
   * `resume()`, and picks up from storage where it stopped.
   */
  deliver(messages: readonly Message[]): boolean;
  /** The subscription paused because the sink was full. */
  paused?(nextSeq: number): void;
  /** Reading from storage failed; the subscription has stopped. */
  failed(err: Error): void;
}

export interface SubscriptionLimits {
  /** Messages per storage read while catching up. */
  readonly pageMessages: number;
  readonly pageBytes: number;
  /** Live events held while a catch-up read is running; past this they are re-read from storage. */
  readonly bufferMessages: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = {
  pageMessages: 1000,
  pageBytes: 1024 * 1024,
  bufferMessages: 10_000,
};

type Mode = "catching_up" | "live" | "paused" | "closed";

/**
 * Every message with seq ≥ `fromSeq`, exactly once and in order: the backlog
 * from storage, then live events from the bus, with no gap at the hand-over.
 * It subscribes to the bus before reading, keeps the events that arrive
 * during the last read, and treats any gap in live events as a cue to read
 * storage again, so a lost event costs latency, never a message. Memory is
 * bounded: a full sink pauses the subscription instead of queueing.
 */
export class StreamSubscription {
  private mode: Mode = "catching_up";
  private buffer: Message[] = [];
  private overflowed = false;
  private unsubscribe: (() => void) | undefined;
  private reading = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly log: MessageLog,
    readonly streamId: StreamId,
    private next: number,
    private readonly sink: SubscriptionSink,
    private readonly limits: SubscriptionLimits = DEFAULT_SUBSCRIPTION_LIMITS,
  ) {}

  /** The next seq this subscription will deliver. */
  get position(): number {
    return this.next;
  }

  get state(): Mode {
    return this.mode;
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe(streamTopic(this.streamId), (e) =>
      e === BUS_RESYNC ? this.resync() : this.onEvent(e as StreamEvent),
    );
    await this.catchUp();
  }

  /** The sink has room again (e.g. the socket drained). */
  resume(): void {
    if (this.mode !== "paused") return;
    this.mode = "catching_up";
    void this.catchUp();
  }

  /** The bus may have lost events: read storage from our position. */
  private resync(): void {
    if (this.mode !== "live") {
      if (this.mode === "catching_up") this.overflowed = true;
      return;
    }
    this.mode = "catching_up";
    void this.catchUp();
  }

  /** Called once when the subscription closes (registries of live subscriptions use it). */
  onClose(fn: () => void): void {
    this.closeListeners.push(fn);
  }

  close(): void {
    if (this.mode !== "closed") for (const fn of this.closeListeners.splice(0)) fn();
    this.mode = "closed";
    this.buffer = [];
    this.unsubscribe?.();
  }

  private onEvent(event: StreamEvent): void {
    if (this.mode === "catching_up") {
      if (this.overflowed) return;
      this.buffer.push(...event.messages);
      if (this.buffer.length > this.limits.bufferMessages) {
        this.buffer = [];
        this.overflowed = true;
      }
      return;
    }
    if (this.mode !== "live") return;
    // The event's own array when all of it is new, so that a codec can share one frame between subscribers.
    const all = event.messages;
    const fresh =
      all.length > 0 && all[0]!.seq >= this.next ? all : all.filter((m) => m.seq >= this.next);
    if (fresh.length === 0) return;
    if (fresh[0]!.seq !== this.next) {
      // A missed event: storage has what lies between.
      this.mode = "catching_up";
      void this.catchUp();
      return;
    }
    this.push(fresh);
  }

  private push(messages: readonly Message[]): boolean {
    this.next = messages[messages.length - 1]!.seq + 1;
    if (this.sink.deliver(messages)) return true;
    this.mode = "paused";
    this.buffer = [];
    this.sink.paused?.(this.next);
    return false;
  }

  /**
   * Reads pages until storage has nothing newer, then goes live. The next
   * page is read while the one before is delivered, so the database and the
   * socket work at the same time; a page read and then not wanted (paused,
   * closed) is dropped.
   */
  private async catchUp(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    let reading = this.readFrom(this.next);
    // Whether `reading` is a read nobody has awaited yet.
    let unclaimed = true;
    try {
      while (this.mode === "catching_up") {
        unclaimed = false;
        const page = await reading;
        if ((this.mode as Mode) !== "catching_up") return;
        if (page.length > 0) {
          reading = this.readFrom(page[page.length - 1]!.seq + 1);
          unclaimed = true;
          if (!this.push(page)) return;
          continue;
        }
        // Storage had nothing newer: hand over to live events, starting with those that came in meanwhile.
        const held = this.overflowed ? [] : this.buffer.filter((m) => m.seq >= this.next);
        if (this.overflowed || (held.length > 0 && held[0]!.seq !== this.next)) {
          reading = this.readFrom(this.next);
          unclaimed = true;
          continue;
        }
        this.buffer = [];
        this.mode = "live";
        if (held.length > 0) this.push(held);
      }
    } catch (err) {
      this.close();
      this.sink.failed(err as Error);
    } finally {
      // A read started for a page nobody will take: its outcome no longer matters.
      if (unclaimed) reading.catch(() => {});
      this.reading = false;
    }
  }

  /**
   * One storage page from `from`. Events from here on are kept for the
   * hand-over to live: whatever committed before the read is in its page.
   */
  private readFrom(from: number): Promise<Message[]> {
    this.buffer = [];
    this.overflowed = false;
    return this.log.read(this.streamId, from, this.limits.pageMessages, this.limits.pageBytes);
  }
}
