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
  /** Called once: with null when the rows are committed, else with why they are not. */
  readonly settle: (err: Error | null) => void;
}

export function minLimit(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

/** Merges the items of one transaction: rows, per-stream totals and trims. */
export function buildBatch(nodeId: string, items: readonly AppendItem[]): CommitBatch {
  const rows: PendingRow[] = [];
  const streams = new Map<
    StreamId,
    { streamId: StreamId; lastSeq: number; messages: number; bytes: number }
  >();
  const trims = new Map<StreamId, Trim>();
  let replicated = false;
  for (const item of items) {
    for (const r of item.rows) rows.push(r);
    replicated ||= item.replicated;
    const id = item.stream.id;
    let s = streams.get(id);
    if (!s) streams.set(id, (s = { streamId: id, lastSeq: 0, messages: 0, bytes: 0 }));
    s.lastSeq = Math.max(s.lastSeq, item.rows[item.rows.length - 1]!.seq);
    s.messages += item.rows.length;
    s.bytes += item.bytes;
    if (item.trim) {
      const t = trims.get(id);
      trims.set(id, {
        streamId: id,
        dropMessages: (t?.dropMessages ?? 0) + item.trim.dropMessages,
        dropBytes: (t?.dropBytes ?? 0) + item.trim.dropBytes,
      });
    }
  }
  return { nodeId, replicated, rows, streams: [...streams.values()], trims: [...trims.values()] };
}

/**
 * The committed appends as bus events: one per stream, its messages in
 * commit order. The rows are the messages (a row is a Message with its
 * stream id), so nothing is copied per message.
 */
export function appendedEvents(items: readonly AppendItem[]): StreamEvent[] {
  const byStream = new Map<StreamId, Message[]>();
  for (const item of items) {
    let list = byStream.get(item.stream.id);
    if (!list) byStream.set(item.stream.id, (list = []));
    for (const r of item.rows) list.push(r);
  }
  const events: StreamEvent[] = [];
  for (const [streamId, messages] of byStream) events.push({ streamId, messages });
  return events;
}
