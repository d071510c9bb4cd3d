import { planColdRetention, type Trim } from "@strata/core";
import type pg from "pg";

export interface ColdTrim {
  readonly messages: number;
  readonly bytes: number;
  /** A segment is left (it did not fit in the trim): hot rows must wait behind it. */
  readonly remaining: boolean;
  /** Lowest seq the cold tier still holds, or the one after what went. */
  readonly firstSeq: number;
}

/**
 * The cold part of a `discard: old` trim, inside the group-commit
 * transaction: whole segments only, and only while all of a segment fits
 * in what the trim must remove (the object store is not touched here; the
 * dropped objects are orphans the tiering job's sweep deletes).
 */
export async function dropOldestSegments(client: pg.PoolClient, trim: Trim): Promise<ColdTrim> {
  const { rows } = await client.query<{
    first_seq: string;
    last_seq: string;
    messages: string;
    value_bytes: string;
  }>(
    `select first_seq, last_seq, messages, value_bytes from stream_segments
      where stream_id = $1 order by first_seq`,
    [trim.streamId],
  );
  if (rows.length === 0) return { messages: 0, bytes: 0, remaining: false, firstSeq: 0 };
  const segments = rows.map((r) => ({
    firstSeq: Number(r.first_seq),
    lastSeq: Number(r.last_seq),
    messages: Number(r.messages),
    valueBytes: Number(r.value_bytes),
    lastTs: new Date(0),
  }));
  const cut = planColdRetention(segments, {
    messages: trim.dropMessages,
    bytes: trim.dropBytes,
    before: null,
  });
  if (cut.upToSeq > 0) {
    await client.query("delete from stream_segments where stream_id = $1 and last_seq <= $2", [
      trim.streamId,
      cut.upToSeq,
    ]);
  }
  const next = segments.find((s) => s.lastSeq > cut.upToSeq);
  return {
    messages: cut.messages,
    bytes: cut.bytes,
    remaining: !cut.allSegments,
    firstSeq: next ? next.firstSeq : cut.upToSeq + 1,
  };
}
