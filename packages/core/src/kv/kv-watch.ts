import { type Bus, BUS_RESYNC } from "../bus/bus.js";
import { bucketTopic, type KvBusEvent } from "./kv-batch.js";
import { BucketNotFound, Compacted } from "./kv.errors.js";
import { type BucketId, type KvEvent } from "./kv.js";
import { type KvReader } from "./kv-store.js";

/** Where a watch's changes go (an SSE response, a WebSocket). */
export interface WatchSink {
  /**
   * Takes the next changes, in revision order; a transaction's changes (one
   * revision) always arrive together. Returns false when the transport's
   * buffer is full: the watch then pauses (holding nothing) until
   * `resume()`, and picks up from storage where it stopped.
   */
  deliver(events: readonly KvEvent[]): boolean;
  /** The watch paused because the sink was full. */
  paused?(nextRevision: number): void;
  /** Reading from storage failed, or history was compacted past the watch; it has stopped. */
  failed(err: Error): void;
}

export interface WatchLimits {
  /** Changes per storage read while catching up. */
  readonly pageEvents: number;
  /** Live changes held while a catch-up read is running; past this they are re-read from storage. */
  readonly bufferEvents: number;
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = { pageEvents: 1000, bufferEvents: 10_000 };

type Mode = "catching_up" | "live" | "paused" | "closed";

/**
 * Every change of a bucket with revision ≥ `from` whose key starts with
 * `prefix`, exactly once and in order: the backlog from the change log, then
 * live events from the bus, with no gap at the hand-over — the shape of
 * StreamSubscription. Its position is a bucket revision (revisions are dense
 * per bucket, so any gap in live events means a lost event and a re-read);
 * changes outside the prefix advance it without being delivered. Memory is
 * bounded: a full sink pauses the watch instead of queueing.
 */
export class KvWatch {
  private mode: Mode = "catching_up";
  private buffer: KvBusEvent[] = [];
  private buffered = 0;
  private overflowed = false;
  private unsubscribe: (() => void) | undefined;
  private reading = false;

  constructor(
    private readonly bus: Bus,
    private readonly reader: KvReader,
    private readonly bucket: { readonly id: BucketId; readonly name: string },
    private readonly prefix: string | undefined,
    private next: number,
    private readonly sink: WatchSink,
    private readonly limits: WatchLimits = DEFAULT_WATCH_LIMITS,
  ) {}

  /** The next revision this watch will look at. */
  get position(): number {
    return this.next;
  }

  get state(): Mode {
    return this.mode;
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe(bucketTopic(this.bucket.id), (e) =>
      e === BUS_RESYNC ? this.resync() : this.onEvent(e as KvBusEvent),
    );
    await this.catchUp();
  }

  /** The sink has room again (e.g. the socket drained). */
  resume(): void {
    if (this.mode !== "paused") return;
    this.mode = "catching_up";
    void this.catchUp();
  }

  close(): void {
    this.mode = "closed";
    this.buffer = [];
    this.unsubscribe?.();
  }

  /** The bus may have lost events: read storage from our position. */
  private resync(): void {
    if (this.mode === "catching_up") this.overflowed = true;
    if (this.mode !== "live") return;
    this.mode = "catching_up";
    void this.catchUp();
  }

  private onEvent(event: KvBusEvent): void {
    if (this.mode === "catching_up") {
      if (this.overflowed) return;
      this.buffer.push(event);
      this.buffered += event.events.length;
      if (this.buffered > this.limits.bufferEvents) {
        this.buffer = [];
        this.overflowed = true;
      }
      return;
    }
    if (this.mode !== "live" || event.lastRevision < this.next) return;
    if (event.firstRevision > this.next) {
      // A missed event: storage has what lies between.
      this.mode = "catching_up";
      void this.catchUp();
      return;
    }
    this.push(this.matching(event.events), event.lastRevision + 1);
  }

  private matching(events: readonly KvEvent[]): KvEvent[] {
    const prefix = this.prefix;
    return events.filter(
      (e) => e.revision >= this.next && (prefix === undefined || e.key.startsWith(prefix)),
    );
  }

  /** Delivers `events` and moves to `next`; false when the sink is full (the watch pauses). */
  private push(events: readonly KvEvent[], next: number): boolean {
    this.next = next;
    if (events.length === 0 || this.sink.deliver(events)) return true;
    this.mode = "paused";
    this.buffer = [];
    this.sink.paused?.(this.next);
    return false;
  }

  private async catchUp(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.mode === "catching_up") {
        this.buffer = [];
        this.buffered = 0;
        this.overflowed = false;
        const page = await this.reader.events(
          this.bucket.id,
          this.next,
          this.prefix,
          this.limits.pageEvents,
        );
        if ((this.mode as Mode) !== "catching_up") return;
        if (!page) throw new BucketNotFound(this.bucket.name);
        if (this.next <= page.compactedRevision) {
          throw new Compacted(this.next, page.compactedRevision);
        }
        if (!this.push(page.events, page.next)) return;
        if (page.next <= page.head) continue;
        // Storage is read to its end: hand over to live events, starting with those that came in meanwhile.
        if (this.overflowed) continue;
        const held = this.buffer.filter((e) => e.lastRevision >= this.next);
        this.buffer = [];
        if (held.length > 0 && held[0]!.firstRevision > this.next) continue;
        this.mode = "live";
        for (const e of held) {
          if (e.lastRevision < this.next) continue;
          if (e.firstRevision > this.next) {
            this.mode = "catching_up";
            break;
          }
          if (!this.push(this.matching(e.events), e.lastRevision + 1)) return;
        }
      }
    } catch (err) {
      this.close();
      this.sink.failed(err as Error);
    } finally {
      this.reading = false;
    }
  }
}
