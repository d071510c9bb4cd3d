import { GroupCommitter } from "../common/group-committer.js";
import { type OwnedStream } from "./owned-stream.js";
import { type CommitStats, type StreamEvent } from "./owner-ports.js";
import { type AppendItem, appendedEvents, buildBatch } from "./stream-batch.js";
import { CommitFailed, MessageRejected, StreamNotFound } from "./stream.errors.js";
import {
  type CommitHooks,
  type CommitOutcome,
  type MessageLog,
  RowsRejected,
  type StreamCut,
} from "./stream-store.js";
import { type StreamId } from "./stream.js";

/** What the commit queue needs from the StreamOwner. */
export interface CommitHost {
  readonly nodeId: () => string;
  /** Bumped whenever a failed write drops every loaded stream. */
  readonly generation: () => number;
  /** The stream as loaded now, if it is. */
  readonly loaded: (id: StreamId) => OwnedStream | undefined;
  /** Forget the loaded stream if it is still `st`. */
  readonly unload: (st: OwnedStream) => void;
  readonly publish: (event: StreamEvent) => void;
  /** The error to report for a failed write; fails `generation` if it is still the current one. */
  readonly onWriteError: (err: unknown, generation: number) => Error;
  readonly onCommit?: (stats: CommitStats) => void;
}

/**
 * The owner's group commit: batches accepted appends across every stream it
 * serves into fenced transactions (GroupCommitter), then applies what each
 * commit did — trims, streams deleted meanwhile, bus events — and settles the
 * items. A batch whose rows the database refuses is committed apart, so only
 * the items carrying the refused data fail (DESIGN §8: a bad item fails alone).
 */
export class StreamCommits {
  private readonly committer: GroupCommitter<AppendItem>;

  constructor(
    private readonly log: MessageLog,
    private readonly host: CommitHost,
    options: { maxBatchItems: number; maxInFlight: number },
  ) {
    this.committer = new GroupCommitter((items, predecessor) => this.write(items, predecessor), {
      maxBatchItems: options.maxBatchItems,
      maxInFlight: options.maxInFlight,
      // Batches of other streams need not wait for each other: seqs are dense per stream.
      keyOf: (item) => item.stream.id,
    });
  }

  get idle(): boolean {
    return this.committer.queued === 0 && this.committer.busy === 0;
  }

  add(item: AppendItem): void {
    this.committer.add(item);
  }

  /** Hands back the queued items (the caller fails them) and starts a fresh chain. */
  reset(): AppendItem[] {
    return this.committer.reset();
  }

  drain(): Promise<void> {
    return this.committer.drain();
  }

  private async write(items: AppendItem[], predecessor: Promise<unknown>): Promise<void> {
    const generation = this.host.generation();
    const live: AppendItem[] = [];
    for (const item of items) {
      if (item.generation !== generation || item.stream.poisonedFrom !== null)
        item.settle(new CommitFailed("The stream was reloaded; retry."));
      else live.push(item);
    }
    if (live.length === 0) return;
    const open = new Set(live);
    const started = performance.now();
    const batch = buildBatch(this.host.nodeId(), live);
    const report = (ok: boolean) =>
      this.host.onCommit?.({
        ok,
        messages: batch.rows.length,
        bytes: batch.streams.reduce((n, x) => n + x.bytes, 0),
        seconds: (performance.now() - started) / 1000,
      });
    try {
      try {
        this.finish(live, await this.log.commit(batch, predecessor, this.hooksFor(live)), open);
      } catch (err) {
        if (!(err instanceof RowsRejected)) throw err;
        await predecessorCommitted(predecessor);
        await this.commitApart(groupByStream(live), open);
      }
      report(true);
    } catch (err) {
      report(false);
      const failure = this.host.onWriteError(err, generation);
      for (const item of open) item.settle(failure);
      throw failure;
    }
  }

  /** Applies a commit's outcome to the loaded streams, publishes and settles its items. */
  private finish(items: readonly AppendItem[], outcome: CommitOutcome, open: Set<AppendItem>) {
    for (const t of outcome.trims) {
      const st = this.host.loaded(t.streamId);
      const asked = items.find((i) => i.stream.id === t.streamId && i.trim)?.trim;
      if (st && asked) st.applyTrim(asked, t);
    }
    if (outcome.missing.length + outcome.dropped.length === 0) {
      for (const event of appendedEvents(items)) this.host.publish(event);
      for (const item of items) {
        open.delete(item);
        item.settle(null);
      }
      return;
    }
    const gone = (item: AppendItem) =>
      outcome.missing.includes(item.stream.id) ||
      outcome.dropped.some((d) => d.streamId === item.stream.id);
    for (const event of appendedEvents(items.filter((i) => !gone(i)))) this.host.publish(event);
    for (const item of items) {
      open.delete(item);
      if (!gone(item)) item.settle(null);
      else if (outcome.missing.includes(item.stream.id)) {
        this.host.unload(item.stream);
        item.settle(new StreamNotFound(`#${item.stream.id}`));
      } else item.settle(new CommitFailed("The stream was reloaded; retry."));
    }
  }

  /**
   * The batch was refused for some row's data: commit halves of its streams
   * (each in its own fenced transaction) until the refused stream is found,
   * then that stream's items one by one. The first refused item fails for
   * good; the stream's later items fail retryably and the stream is dropped
   * (they follow its gap), later batches take their rows of it out again.
   */
  private async commitApart(groups: AppendItem[][], open: Set<AppendItem>): Promise<void> {
    if (groups.length === 1) return this.commitOneByOne(groups[0]!, open);
    const mid = groups.length >> 1;
    for (const half of [groups.slice(0, mid), groups.slice(mid)]) {
      const items = half.flat();
      try {
        const batch = buildBatch(this.host.nodeId(), items);
        this.finish(items, await this.log.commit(batch, DONE, this.hooksFor(items)), open);
      } catch (err) {
        if (!(err instanceof RowsRejected)) throw err;
        await this.commitApart(half, open);
      }
    }
  }

  private async commitOneByOne(items: AppendItem[], open: Set<AppendItem>): Promise<void> {
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      try {
        const batch = buildBatch(this.host.nodeId(), [item]);
        this.finish([item], await this.log.commit(batch, DONE, this.hooksFor([item])), open);
      } catch (err) {
        if (!(err instanceof RowsRejected)) throw err;
        item.stream.poisonedFrom = item.rows[0]!.seq;
        this.host.unload(item.stream);
        open.delete(item);
        item.settle(new MessageRejected(`The database refused the message: ${err.message}`));
        for (const later of items.slice(k + 1)) {
          open.delete(later);
          later.settle(new CommitFailed("An earlier message of the stream was refused; retry."));
        }
        return;
      }
    }
  }

  /** Later batches leave out the rows of streams that had a row refused meanwhile. */
  private hooksFor(items: readonly AppendItem[]): CommitHooks {
    return {
      dropBeforeCommit: () => {
        const cuts = new Map<StreamId, StreamCut>();
        for (const i of items) {
          const from = i.stream.poisonedFrom;
          if (from !== null) cuts.set(i.stream.id, { streamId: i.stream.id, fromSeq: from });
        }
        return [...cuts.values()];
      },
    };
  }
}

const DONE: Promise<void> = Promise.resolve();

async function predecessorCommitted(predecessor: Promise<unknown>): Promise<void> {
  try {
    await predecessor;
  } catch {
    throw new CommitFailed("An earlier batch failed, so this one was not committed; retry.");
  }
}

function groupByStream(items: readonly AppendItem[]): AppendItem[][] {
  const groups = new Map<OwnedStream, AppendItem[]>();
  for (const item of items) {
    let g = groups.get(item.stream);
    if (!g) groups.set(item.stream, (g = []));
    g.push(item);
  }
  return [...groups.values()];
}
