import { type Message, type SegmentEntry, type StreamId } from "@strata/core";
import type pg from "pg";
import { type ColdSegments, SegmentGone } from "../tiering/cold-segments.js";
import { IncompleteValue, joinChunks } from "./large-values.js";

/** Segments looked at per read; a page ends at the last of them (callers read on from there). */
const SEGMENTS_PER_READ = 4;
const ATTEMPTS = 5;

export interface SegmentRef {
  readonly first_seq: number;
  readonly last_seq: number;
  readonly object_key: string;
  readonly checksum: string;
  readonly removed: number[];
}

interface PageRow {
  segs: SegmentRef[];
  seq: string | null;
  ts: Date;
  headers: Record<string, string> | null;
  value: Buffer | null;
  value_ref: string | null;
  value_size: number;
  msg_id: string | null;
}

/**
 * The byte budget is applied in SQL (sizes come from the index-ordered scan), so a catch-up
 * page never ships values it will not use. The first message always comes, however large.
 * The page is a seq range from the first stored seq: with `seq >= $2` alone, a stream that
 * the table's statistics underestimate (fresh rows, not analyzed yet) was read as a bitmap
 * scan of its whole backlog and a sort, for every page. `min(seq)` always takes the index.
 * $1 stream, $2 from seq, $3 most messages, $4 byte budget.
 */
export const PAGE_SQL = `with segs as (
         select first_seq, last_seq, object_key, checksum, removed from stream_segments
          where stream_id = $1 and last_seq >= $2 order by last_seq limit ${SEGMENTS_PER_READ}),
       first as (
         select min(seq) as seq from stream_messages
          where stream_id = $1 and seq >= $2 and not exists (select 1 from segs)),
       page as (
         select seq, ts, headers, value, value_ref, value_size, msg_id from (
           select lim.*, sum(value_size) over (order by seq) - value_size as before
             from (select m.* from stream_messages m, first
                    where m.stream_id = $1 and m.seq >= first.seq and m.seq < first.seq + $3
                    order by m.seq limit $3) lim
         ) p where before < $4)
       select (select coalesce(json_agg(segs order by first_seq), '[]'::json) from segs) as segs, page.*
         from (select 1) one left join page on true order by page.seq`;

/**
 * Reads messages from both tiers. One statement (one snapshot) finds the
 * segments at or after `fromSeq` and, only when there are none, the hot
 * page: tiering moves the oldest hot rows into a segment in one transaction,
 * so a reader sees each message in exactly one tier and never a gap. A
 * segment dropped or a large value moved between the statement and its
 * fetch makes the read start over.
 */
export async function readTiered(
  pool: pg.Pool,
  cold: ColdSegments | undefined,
  streamId: StreamId,
  fromSeq: number,
  limit: number,
  maxBytes: number,
): Promise<Message[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readOnce(pool, cold, streamId, fromSeq, limit, maxBytes);
    } catch (err) {
      const moved = err instanceof SegmentGone || err instanceof IncompleteValue;
      if (!moved || attempt >= ATTEMPTS) throw err;
    }
  }
}

async function readOnce(
  pool: pg.Pool,
  cold: ColdSegments | undefined,
  streamId: StreamId,
  fromSeq: number,
  limit: number,
  maxBytes: number,
): Promise<Message[]> {
  let from = fromSeq;
  for (;;) {
    const { rows } = await pool.query<PageRow>(PAGE_SQL, [streamId, from, limit, maxBytes]);
    const segs = rows[0]?.segs ?? [];
    if (segs.length === 0) {
      const out: Message[] = [];
      for (const row of rows) if (row.seq !== null) out.push(await hotMessage(pool, streamId, row));
      return out;
    }
    if (!cold) throw new Error(`stream ${streamId} has tiered segments but no object store is set`);
    const out = await coldPage(cold, streamId, segs, from, limit, maxBytes);
    if (out.length > 0) return out;
    // Only deleted messages in these segments: look further.
    from = segs[segs.length - 1]!.last_seq + 1;
  }
}

async function coldPage(
  cold: ColdSegments,
  streamId: StreamId,
  segs: readonly SegmentRef[],
  from: number,
  limit: number,
  maxBytes: number,
): Promise<Message[]> {
  const out: Message[] = [];
  let bytes = 0;
  for (const s of segs) {
    const seg = await cold.segment(streamId, { objectKey: s.object_key, checksum: s.checksum });
    const removed = new Set(s.removed.map(Number));
    const start = Math.max(from, Number(s.first_seq));
    for (let i = lowerBound(seg.entries, start); i < seg.entries.length; i++) {
      const e = seg.entries[i]!;
      if (e.seq > Number(s.last_seq)) break;
      if (removed.has(e.seq)) continue;
      if (out.length >= limit || bytes >= maxBytes) return out;
      out.push(await coldMessage(cold, streamId, e));
      bytes += e.external ? e.external.size : e.value!.byteLength;
    }
  }
  return out;
}

/** One message by seq: the hot tier first, then the segment holding it (hot rows only ever move to cold). */
export async function readOneTiered(
  pool: pg.Pool,
  cold: ColdSegments | undefined,
  streamId: StreamId,
  seq: number,
): Promise<Message | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await pool.query<PageRow>(
        `select seq, ts, headers, value, value_ref, value_size, msg_id from stream_messages
          where stream_id = $1 and seq = $2`,
        [streamId, seq],
      );
      if (rows[0]) return await hotMessage(pool, streamId, rows[0]);
      const { rows: segs } = await pool.query<SegmentRef>(
        `select first_seq, last_seq, object_key, checksum, removed from stream_segments
          where stream_id = $1 and last_seq >= $2 and first_seq <= $2 and not ($2 = any(removed))`,
        [streamId, seq],
      );
      const s = segs[0];
      if (!s) return null;
      if (!cold)
        throw new Error(`stream ${streamId} has tiered segments but no object store is set`);
      const seg = await cold.segment(streamId, { objectKey: s.object_key, checksum: s.checksum });
      const e = seg.entries[lowerBound(seg.entries, seq)];
      return e && e.seq === seq ? await coldMessage(cold, streamId, e) : null;
    } catch (err) {
      const moved = err instanceof SegmentGone || err instanceof IncompleteValue;
      if (!moved || attempt >= ATTEMPTS) throw err;
    }
  }
}

export function lowerBound(entries: readonly SegmentEntry[], seq: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function coldMessage(cold: ColdSegments, streamId: StreamId, e: SegmentEntry) {
  const value = e.external ? await cold.value(streamId, e.external) : e.value!;
  return { seq: e.seq, ts: e.ts, headers: e.headers, value, msgId: e.msgId };
}

async function hotMessage(pool: pg.Pool, streamId: StreamId, row: PageRow): Promise<Message> {
  let value = row.value;
  if (value === null && row.value_ref?.startsWith("chunks:")) {
    const { rows } = await pool.query<{ data: Buffer }>(
      "select data from stream_chunks where stream_id = $1 and seq = $2 order by chunk",
      [streamId, row.seq],
    );
    value = joinChunks(
      rows.map((r) => r.data),
      row.value_size,
    );
  }
  return {
    seq: Number(row.seq),
    ts: row.ts,
    headers: row.headers,
    value: value ?? Buffer.alloc(0),
    msgId: row.msg_id,
  };
}
