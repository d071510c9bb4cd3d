import { type Removal, type StreamId } from "@strata/core";
import type pg from "pg";
import { type ColdSegments } from "../tiering/cold-segments.js";
import { lowerBound, type SegmentRef } from "./tiered-read.pg.js";

type Client = pg.PoolClient;

/** What a delete takes out of one segment, worked out from its object before the transaction. */
export interface SegmentCut {
  readonly objectKey: string;
  readonly firstSeq: number;
  readonly seqs: readonly number[];
  readonly bytes: number;
}

const NONE: Removal = { messages: 0, bytes: 0, firstSeq: 0 };

/**
 * Serialises deletes with tiering on the stream's row: tiering takes it FOR
 * UPDATE while it swaps rows for a segment, so a delete never sees a
 * message in neither tier or both.
 */
export async function lockStreamRow(client: Client, streamId: StreamId): Promise<void> {
  await client.query("select 1 from streams where id = $1 for no key update", [streamId]);
}

/** Drops the whole segments matching `where` (a condition on the manifest row). */
export async function dropSegments(
  client: Client,
  streamId: StreamId,
  where: string,
  args: unknown[],
): Promise<Removal> {
  const { rows } = await client.query<{ n: string; b: string }>(
    `with gone as (delete from stream_segments where stream_id = $1 and ${where}
                   returning messages, value_bytes)
     select coalesce(sum(messages), 0) as n, coalesce(sum(value_bytes), 0) as b from gone`,
    [streamId, ...args],
  );
  return { messages: Number(rows[0]!.n), bytes: Number(rows[0]!.b), firstSeq: 0 };
}

/**
 * The messages of the segment holding `seq` that a delete would remove:
 * `upTo` takes every live message from the segment's start through `seq`,
 * otherwise just `seq`. Null when no segment holds it.
 */
export async function planSegmentCut(
  pool: pg.Pool,
  cold: ColdSegments | undefined,
  streamId: StreamId,
  seq: number,
  upTo: boolean,
): Promise<SegmentCut | null> {
  const { rows } = await pool.query<SegmentRef>(
    `select first_seq, last_seq, object_key, checksum, removed from stream_segments
      where stream_id = $1 and first_seq <= $2 and last_seq ${upTo ? ">" : ">="} $2`,
    [streamId, seq],
  );
  const s = rows[0];
  if (!s || !cold) return null;
  const seg = await cold.segment(streamId, { objectKey: s.object_key, checksum: s.checksum });
  const removed = new Set(s.removed.map(Number));
  const seqs: number[] = [];
  let bytes = 0;
  const from = upTo ? Number(s.first_seq) : seq;
  for (let i = lowerBound(seg.entries, from); i < seg.entries.length; i++) {
    const e = seg.entries[i]!;
    if (e.seq > seq) break;
    if (removed.has(e.seq)) continue;
    seqs.push(e.seq);
    bytes += e.external ? e.external.size : e.value!.byteLength;
  }
  return { objectKey: s.object_key, firstSeq: Number(s.first_seq), seqs, bytes };
}

/**
 * Applies a cut inside the delete's transaction: a cut from the segment's
 * start raises its `first_seq`, a single message joins `removed`. If the
 * row changed since the cut was planned (another delete), nothing happens.
 */
export async function applySegmentCut(
  client: Client,
  streamId: StreamId,
  cut: SegmentCut,
  upTo: boolean,
): Promise<Removal> {
  if (cut.seqs.length === 0) return NONE;
  const last = cut.seqs[cut.seqs.length - 1]!;
  const { rows } = upTo
    ? await client.query<{ messages: string }>(
        `update stream_segments set first_seq = $3 + 1, messages = messages - $4, value_bytes = value_bytes - $5
          where stream_id = $1 and object_key = $2 and first_seq = $6 returning messages`,
        [streamId, cut.objectKey, last, cut.seqs.length, cut.bytes, cut.firstSeq],
      )
    : await client.query<{ messages: string }>(
        `update stream_segments set removed = array_append(removed, $3::bigint), messages = messages - 1,
                value_bytes = value_bytes - $4
          where stream_id = $1 and object_key = $2 and not ($3 = any(removed)) returning messages`,
        [streamId, cut.objectKey, last, cut.bytes],
      );
  if (!rows[0]) return NONE;
  if (Number(rows[0].messages) <= 0) {
    await client.query("delete from stream_segments where stream_id = $1 and object_key = $2", [
      streamId,
      cut.objectKey,
    ]);
  }
  return { messages: cut.seqs.length, bytes: cut.bytes, firstSeq: 0 };
}

/** Lowest seq left in either tier (`fallback` when the stream is empty). */
export async function lowestSeq(
  client: Client,
  streamId: StreamId,
  fallback: number,
): Promise<number> {
  const { rows } = await client.query<{ lo: string | null }>(
    `select least((select min(first_seq) from stream_segments where stream_id = $1),
                  (select min(seq) from stream_messages where stream_id = $1)) as lo`,
    [streamId],
  );
  return rows[0]!.lo !== null ? Number(rows[0]!.lo) : fallback;
}
