import { Fenced } from "./stream.errors.js";
import {
  type CommitBatch,
  type CommitHooks,
  type CommitOutcome,
  type LoadedStream,
  type MessageLog,
  type PendingRow,
  type Removal,
  type StreamCounts,
  RowsRejected,
} from "./stream-store.js";
import { type Message, type StreamId } from "./stream.js";

/**
 * MessageLog in memory: the reference behaviour of the port, for unit tests.
 * `fail` makes the next commit throw; `fenced` makes every write throw Fenced;
 * a batch holding a row `refuses` matches is refused whole (RowsRejected),
 * as PostgreSQL refuses a statement with one bad row.
 */
export class MemoryMessageLog implements MessageLog {
  readonly rows = new Map<StreamId, Message[]>();
  readonly floors = new Map<StreamId, number>();
  readonly existing = new Set<StreamId>();
  fail: Error | undefined;
  fenced = false;
  commits = 0;
  /** Delay each commit by this many ms (lets batches overlap in tests). */
  delayMs = 0;
  refuses: ((row: PendingRow) => boolean) | undefined;

  async load(streamId: StreamId): Promise<LoadedStream> {
    const list = this.rows.get(streamId) ?? [];
    const lastSeq = Math.max(list.at(-1)?.seq ?? 0, this.floors.get(streamId) ?? 0);
    return {
      firstSeq: list[0]?.seq ?? lastSeq + 1,
      lastSeq,
      messages: list.length,
      bytes: list.reduce((n, m) => n + m.value.byteLength, 0),
      lastTs: list.at(-1)?.ts ?? null,
      recentMsgIds: list
        .filter((m) => m.msgId)
        .map((m) => ({ msgId: m.msgId!, seq: m.seq, ts: m.ts })),
    };
  }

  async loadHead(streamId: StreamId): Promise<LoadedStream> {
    return { ...(await this.load(streamId)), messages: 0, bytes: 0 };
  }

  async count(streamId: StreamId, upToSeq: number): Promise<StreamCounts> {
    const list = (this.rows.get(streamId) ?? []).filter((m) => m.seq <= upToSeq);
    return { messages: list.length, bytes: list.reduce((n, m) => n + m.value.byteLength, 0) };
  }

  async commit(
    batch: CommitBatch,
    predecessor: Promise<unknown>,
    hooks?: CommitHooks,
  ): Promise<CommitOutcome> {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.fenced) throw new Fenced(batch.nodeId);
    if (this.fail) {
      const err = this.fail;
      this.fail = undefined;
      throw err;
    }
    const refused = batch.rows.find((r) => this.refuses?.(r));
    if (refused) throw new RowsRejected(`row ${refused.streamId}/${refused.seq} refused`);
    await predecessor;
    const dropped = hooks?.dropBeforeCommit?.() ?? [];
    const missing = batch.streams.map((s) => s.streamId).filter((id) => !this.existing.has(id));
    for (const r of batch.rows) {
      if (missing.includes(r.streamId)) continue;
      if (dropped.some((d) => d.streamId === r.streamId && r.seq >= d.fromSeq)) continue;
      const list = this.rows.get(r.streamId) ?? [];
      if (list.some((m) => m.seq === r.seq)) throw new Error(`duplicate seq ${r.seq}`);
      list.push({ seq: r.seq, ts: r.ts, headers: r.headers, value: r.value, msgId: r.msgId });
      this.rows.set(r.streamId, list);
    }
    const trims = batch.trims.map((t) => {
      const list = this.rows.get(t.streamId) ?? [];
      let messages = 0;
      let bytes = 0;
      while (list.length > 0 && (messages < t.dropMessages || bytes < t.dropBytes)) {
        bytes += list.shift()!.value.byteLength;
        messages++;
      }
      return { streamId: t.streamId, messages, bytes, firstSeq: list[0]?.seq ?? 0 };
    });
    this.commits++;
    return { trims, missing, dropped };
  }

  async read(streamId: StreamId, fromSeq: number, limit: number): Promise<Message[]> {
    return (this.rows.get(streamId) ?? []).filter((m) => m.seq >= fromSeq).slice(0, limit);
  }

  async readOne(streamId: StreamId, seq: number): Promise<Message | null> {
    return (this.rows.get(streamId) ?? []).find((m) => m.seq === seq) ?? null;
  }

  async deleteOne(nodeId: string, streamId: StreamId, seq: number): Promise<Removal | null> {
    const r = this.remove(nodeId, streamId, (m) => m.seq === seq);
    return r.messages ? r : null;
  }

  async deleteUpTo(nodeId: string, streamId: StreamId, upToSeq: number): Promise<Removal> {
    return this.remove(nodeId, streamId, (m) => m.seq <= upToSeq);
  }

  async deleteOlderThan(nodeId: string, streamId: StreamId, before: Date): Promise<Removal> {
    return this.remove(nodeId, streamId, (m) => m.ts < before);
  }

  private remove(nodeId: string, streamId: StreamId, gone: (m: Message) => boolean): Removal {
    if (this.fenced) throw new Fenced(nodeId);
    const list = this.rows.get(streamId) ?? [];
    const removed = list.filter(gone);
    const kept = list.filter((m) => !gone(m));
    this.rows.set(streamId, kept);
    const hi = Math.max(0, ...removed.map((m) => m.seq));
    this.floors.set(streamId, Math.max(this.floors.get(streamId) ?? 0, hi));
    return {
      messages: removed.length,
      bytes: removed.reduce((n, m) => n + m.value.byteLength, 0),
      firstSeq: kept[0]?.seq ?? hi + 1,
    };
  }
}
