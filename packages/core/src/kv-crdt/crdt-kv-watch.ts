import { type Heads } from "../docs/documents.js";
import { type KvEvent } from "../kv/kv.js";
import { type WatchSink } from "../kv/kv-watch.js";
import { type BucketMirror } from "./bucket-mirror.js";

const PAGE = 1000;

/**
 * A watch of a crdt bucket. A crdt bucket keeps no per-revision change log
 * (its history is the Automerge document's, and concurrent changes have no
 * single order), so a watch follows the document's state instead: it
 * remembers the heads it has delivered up to and, whenever the mirror
 * takes in durable changes, delivers every key (matching the prefix) that
 * changed since — a `put` with its value, or a `delete` — at the bucket's
 * revision then. A watch from a past revision starts with the current value
 * of every matching key (like a NATS KV watch), then goes on live. A full
 * sink pauses it, holding nothing; `resume` delivers what changed meanwhile,
 * collapsed to the latest state of each key.
 */
export class CrdtKvWatch {
  private heads: Heads | null = null;
  private mode: "new" | "live" | "paused" | "closed" = "new";
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly mirror: BucketMirror,
    private readonly prefix: string | undefined,
    /** The next revision to deliver (`from_revision`, else the one after the current). */
    private next: number,
    private readonly sink: WatchSink,
  ) {}

  get position(): number {
    return this.next;
  }

  get state(): "catching_up" | "live" | "paused" | "closed" {
    return this.mode === "new" ? "catching_up" : this.mode;
  }

  async start(): Promise<void> {
    if (this.mode !== "new") return;
    this.mode = "live";
    // From a revision already reached: the current state of every key first.
    this.heads = this.next <= this.mirror.revision ? [] : this.mirror.heads;
    this.unlisten = this.mirror.listen((ended) => (ended ? this.fail(ended) : this.deliver()));
    this.deliver();
    return Promise.resolve();
  }

  resume(): void {
    if (this.mode !== "paused") return;
    this.mode = "live";
    this.deliver();
  }

  close(): void {
    this.mode = "closed";
    this.unlisten?.();
  }

  private fail(err: Error): void {
    if (this.mode === "closed") return;
    this.close();
    this.sink.failed(err);
  }

  private deliver(): void {
    if (this.mode !== "live" || this.heads === null) return;
    const { mirror, prefix } = this;
    const revision = mirror.revision;
    if (revision < this.next) {
      // Before the asked-for revision: skipped.
      this.heads = mirror.heads;
      return;
    }
    const keys = mirror
      .changedSince(this.heads)
      .filter((k) => prefix === undefined || k.startsWith(prefix));
    this.heads = mirror.heads;
    this.next = revision + 1;
    const events: KvEvent[] = keys.map((key) => {
      const value = mirror.get(key);
      return value === undefined
        ? { revision, key, op: "delete", value: null, expiresAt: null }
        : { revision, key, op: "put", value, expiresAt: null };
    });
    let room = true;
    // Every page goes out (the sink takes it even when it answers "full"); then the watch pauses.
    for (let i = 0; i < events.length; i += PAGE) {
      room = this.sink.deliver(events.slice(i, i + PAGE)) && room;
    }
    if (room) return;
    this.mode = "paused";
    this.sink.paused?.(this.next);
  }
}
