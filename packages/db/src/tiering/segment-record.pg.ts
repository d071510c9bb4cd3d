import { type SegmentEntry, SEGMENT_FORMAT_VERSION, type StreamId } from "@strata/core";
import type pg from "pg";
import type { SealRow } from "./stream-tierer.pg.js";

/** A segment whose objects are written and verified, ready to replace its hot rows. */
export interface SealedSegment {
  readonly streamId: StreamId;
  readonly objectKey: string;
  readonly checksum: string;
  readonly entries: readonly SegmentEntry[];
  readonly objectBytes: number;
  readonly externalBytes: number;
  readonly valueBytes: number;
}

/** How long the swap waits for the stream's row before giving up (a later run retries). */
const LOCK_TIMEOUT = "5s";

/**
 * The oldest hot rows of a stream that the next segment takes: older than
 * `olderThanSeconds`, at most `maxMessages` and about `maxBytes` of inline
 * values; null unless at least `minMessages` are old enough.
 */
export async function sealRows(
  pool: pg.Pool,
  streamId: StreamId,
  o: { olderThanSeconds: number; minMessages: number; maxMessages: number; maxBytes: number },
): Promise<SealRow[] | null> {
  const { rows: due } = await pool.query<{ n: number }>(
    `select count(*)::int as n from (select 1 from stream_messages
       where stream_id = $1 and ts < now() - make_interval(secs => $2) order by seq limit $3) d`,
    [streamId, o.olderThanSeconds, o.minMessages],
  );
  if (due[0]!.n < Math.max(1, o.minMessages)) return null;
  // Large values (value is null: chunk rows) do not count against the segment's byte budget.
  const { rows } = await pool.query<Omit<SealRow, "seq"> & { seq: string }>(
    `select seq, ts, headers, value, value_size, msg_id from (
       select lim.*, sum(coalesce(octet_length(value), 0)) over (order by seq)
                     - coalesce(octet_length(value), 0) as before
         from (select * from stream_messages
                where stream_id = $1 and ts < now() - make_interval(secs => $2)
                order by seq limit $3) lim
     ) p where before < $4 order by seq`,
    [streamId, o.olderThanSeconds, o.maxMessages, o.maxBytes],
  );
  return rows.length === 0 ? null : rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

/**
 * Records the segment and deletes the rows it replaces, in one transaction.
 * The stream's row is locked FOR UPDATE first, so appends' trims and
 * deletes of this stream wait (they lock it too) and see the swap whole.
 * Returns false, changing nothing, when the rows are no longer exactly the
 * sealed ones (trimmed or deleted meanwhile) or the stream is gone; the
 * written objects are then orphans for the sweep.
 */
export async function recordSegment(
  pool: pg.Pool,
  s: SealedSegment,
  beforeDelete: () => void | Promise<void>,
): Promise<boolean> {
  const first = s.entries[0]!.seq;
  const last = s.entries[s.entries.length - 1]!.seq;
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query(`set local lock_timeout = '${LOCK_TIMEOUT}'`);
    const { rowCount } = await client.query("select 1 from streams where id = $1 for update", [
      s.streamId,
    ]);
    if (!rowCount) {
      await client.query("rollback");
      return false;
    }
    await client.query(
      `insert into stream_segments (stream_id, first_seq, last_seq, messages, bytes, object_key, checksum,
                                    format_version, value_bytes, external_bytes, last_ts)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        s.streamId,
        first,
        last,
        s.entries.length,
        s.objectBytes,
        s.objectKey,
        s.checksum,
        SEGMENT_FORMAT_VERSION,
        s.valueBytes,
        s.externalBytes,
        s.entries[s.entries.length - 1]!.ts,
      ],
    );
    await beforeDelete();
    const { rows } = await client.query<{ n: number; b: string }>(
      `with gone as (delete from stream_messages where stream_id = $1 and seq between $2 and $3
                     returning value_size)
       select count(*)::int as n, coalesce(sum(value_size), 0) as b from gone`,
      [s.streamId, first, last],
    );
    if (rows[0]!.n !== s.entries.length || Number(rows[0]!.b) !== s.valueBytes) {
      await client.query("rollback");
      return false;
    }
    await client.query("delete from stream_chunks where stream_id = $1 and seq between $2 and $3", [
      s.streamId,
      first,
      last,
    ]);
    // Keeps the stream's highest seq known even when every message has left the hot tier.
    await client.query("update streams set last_seq = greatest(last_seq, $2) where id = $1", [
      s.streamId,
      last,
    ]);
    await client.query("commit");
    return true;
  } catch (err) {
    await client.query("rollback").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
