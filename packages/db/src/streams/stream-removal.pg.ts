import { type Removal, type StreamId, type Trim, type TrimResult } from "@strata/core";
import type pg from "pg";
import { dropOldestSegments } from "../tiering/segment-trim.pg.js";
import { lowestSeq } from "./cold-removal.pg.js";

type Client = pg.PoolClient;

/** Deletes the oldest messages of a stream: at least `dropMessages`, then until `dropBytes` are freed. */
export async function applyTrim(client: Client, trim: Trim): Promise<TrimResult> {
  let messages = 0;
  let bytes = 0;
  let maxSeq = 0;
  const take = async (sql: string, arg: number) => {
    const { rows } = await client.query<{ n: number; b: string; hi: string | null }>(
      `with ${sql},
            gone as (delete from stream_messages m using victims v
                      where m.stream_id = $1 and m.seq = v.seq returning m.seq, m.value_size)
       select count(*)::int as n, coalesce(sum(value_size), 0) as b, max(seq) as hi from gone`,
      [trim.streamId, arg],
    );
    const r = rows[0]!;
    messages += r.n;
    bytes += Number(r.b);
    if (r.hi !== null) maxSeq = Math.max(maxSeq, Number(r.hi));
    return r.n;
  };
  // The cold tier holds the oldest messages: whole segments go first, and while one is left
  // (it did not fit in what must go) no newer hot row may go before it.
  const cold = await dropOldestSegments(client, trim);
  messages += cold.messages;
  bytes += cold.bytes;
  if (cold.remaining) {
    return { streamId: trim.streamId, messages, bytes, firstSeq: cold.firstSeq };
  }
  if (trim.dropMessages > messages) {
    await take(
      "victims as (select seq from stream_messages where stream_id = $1 order by seq limit $2)",
      trim.dropMessages - cold.messages,
    );
  }
  // The oldest messages whose sizes, added up in seq order, first reach the bytes still to free.
  while (bytes < trim.dropBytes) {
    const n = await take(
      `oldest as (select seq, value_size from stream_messages where stream_id = $1 order by seq limit 1000),
       ranked as (select seq, sum(value_size) over (order by seq) - value_size as before from oldest),
       victims as (select seq from ranked where before < $2)`,
      trim.dropBytes - bytes,
    );
    if (n === 0) break;
  }
  if (maxSeq > 0) {
    await client.query("delete from stream_chunks where stream_id = $1 and seq <= $2", [
      trim.streamId,
      maxSeq,
    ]);
  }
  return {
    streamId: trim.streamId,
    messages,
    bytes,
    firstSeq: Math.max(maxSeq + 1, cold.firstSeq),
  };
}

export async function removeWhere(
  client: Client,
  streamId: StreamId,
  where: string,
  args: unknown[],
): Promise<Removal> {
  const { rows } = await client.query<{ n: number; b: string; hi: string | null }>(
    `with gone as (delete from stream_messages where stream_id = $1 and ${where} returning seq, value_size)
     select count(*)::int as n, coalesce(sum(value_size), 0) as b, max(seq) as hi from gone`,
    [streamId, ...args],
  );
  const r = rows[0]!;
  const hi = r.hi === null ? 0 : Number(r.hi);
  if (hi > 0) {
    await client.query(
      `delete from stream_chunks where stream_id = $1 and seq in
         (select seq from stream_chunks where stream_id = $1 and seq <= $2
           except select seq from stream_messages where stream_id = $1 and seq <= $2)`,
      [streamId, hi],
    );
    // Remember the highest seq ever used, even if it is deleted now.
    await client.query(
      "update streams set last_seq = greatest(last_seq, $2), updated_at = now() where id = $1",
      [streamId, hi],
    );
  }
  return { messages: r.n, bytes: Number(r.b), firstSeq: await lowestSeq(client, streamId, hi + 1) };
}
