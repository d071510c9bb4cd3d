import { type OwnedStream } from "./owned-stream.js";
import { type StreamEvent } from "./owner-ports.js";
import { type CommitBatch, type PendingRow, type Trim } from "./stream-store.js";
import { type Message, type StreamId } from "./stream.js";

/** One accepted append waiting in the group committer. */
export interface AppendItem {
  readonly generation: number;
  readonly stream: OwnedStream;
  readonly rows: PendingRow[];
  readonly bytes: number;
  readonly trim: Trim | null;
  readonly replicated: boolean;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export function minLimit(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

/** Merges the items of one transaction: rows, per-stream totals and trims. */
export function buildBatch(nodeId: string, items: AppendItem[]): CommitBatch {
  const rows: PendingRow[] = [];
  const streams = new Map<
    StreamId,
    { streamId: StreamId; lastSeq: number; messages: number; bytes: number }
  >();
  const trims = new Map<StreamId, Trim>();
  let replicated = false;
  for (const item of items) {
    rows.push(...item.rows);
    replicated ||= item.replicated;
    const s = streams.get(item.stream.id) ?? {
      streamId: item.stream.id,
      lastSeq: 0,
      messages: 0,
      bytes: 0,
    };
    s.lastSeq = Math.max(s.lastSeq, item.rows[item.rows.length - 1]!.seq);
    s.messages += item.rows.length;
    s.bytes += item.bytes;
    streams.set(item.stream.id, s);
    if (item.trim) {
      const t = trims.get(item.stream.id);
      trims.set(item.stream.id, {
        streamId: item.stream.id,
        dropMessages: (t?.dropMessages ?? 0) + item.trim.dropMessages,
        dropBytes: (t?.dropBytes ?? 0) + item.trim.dropBytes,
      });
    }
  }
  return { nodeId, replicated, rows, streams: [...streams.values()], trims: [...trims.values()] };
}

/** The committed appends as bus events: one per stream, its messages in commit order. */
export function appendedEvents(items: readonly AppendItem[]): StreamEvent[] {
  const byStream = new Map<StreamId, Message[]>();
  for (const item of items) {
    let list = byStream.get(item.stream.id);
    if (!list) byStream.set(item.stream.id, (list = []));
    for (const r of item.rows)
      list.push({ seq: r.seq, ts: r.ts, headers: r.headers, value: r.value, msgId: r.msgId });
  }
  return [...byStream].map(([streamId, messages]) => ({ streamId, messages }));
}
