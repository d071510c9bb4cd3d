import { type LoadedStream, type StreamCounts, type StreamId } from "@strata/core";
import type pg from "pg";
import { tickBatch } from "../tick-batch.js";

interface LoadKey {
  readonly streamId: StreamId;
  readonly dedupWindowSeconds: number;
}

interface StateRow {
  id: string;
  n: string | number;
  b: string | number;
  lo: string | null;
  hi: string | null;
  ts: Date | null;
  floor: string | null;
  cn: string | number;
  cb: string | number;
  clo: string | null;
  chi: string | null;
  cts: Date | null;
}

/**
 * What an owner needs to serve streams, for every stream asked for in one
 * turn of the event loop in two statements: the counters of the hot rows and
 * of the cold segments, and the msg ids still inside each dedup window.
 */
export class StreamLoaderPg {
  readonly load: (key: LoadKey) => Promise<LoadedStream>;
  /** `load` without the counts: index lookups only (see MessageLog.loadHead). */
  readonly loadHead: (key: LoadKey) => Promise<LoadedStream>;
  readonly count: (key: { streamId: StreamId; upToSeq: number }) => Promise<StreamCounts>;

  constructor(private readonly pool: pg.Pool) {
    this.load = tickBatch((keys: readonly LoadKey[]) => this.loadMany(keys, STATE_SQL));
    this.loadHead = tickBatch((keys: readonly LoadKey[]) => this.loadMany(keys, HEAD_SQL));
    this.count = tickBatch((keys: readonly { streamId: StreamId; upToSeq: number }[]) =>
      this.countMany(keys),
    );
  }

  private async countMany(
    keys: readonly { streamId: StreamId; upToSeq: number }[],
  ): Promise<StreamCounts[]> {
    const { rows } = await this.pool.query<{ n: string; b: string }>(
      `select m.n + g.cn as n, m.b + g.cb as b
         from unnest($1::bigint[], $2::bigint[]) with ordinality as u(id, upto, i)
         cross join lateral (
           select count(*) as n, coalesce(sum(value_size), 0) as b
             from stream_messages where stream_id = u.id and seq <= u.upto) m
         cross join lateral (
           select coalesce(sum(messages), 0) as cn, coalesce(sum(value_bytes), 0) as cb
             from stream_segments where stream_id = u.id and first_seq <= u.upto) g
        order by u.i`,
      [keys.map((k) => k.streamId), keys.map((k) => k.upToSeq)],
    );
    return rows.map((r) => ({ messages: Number(r.n), bytes: Number(r.b) }));
  }

  private async loadMany(keys: readonly LoadKey[], stateSql: string): Promise<LoadedStream[]> {
    const ids = [...new Set(keys.map((k) => k.streamId))];
    const windows = new Map<StreamId, number>();
    for (const k of keys)
      windows.set(k.streamId, Math.max(windows.get(k.streamId) ?? 0, k.dedupWindowSeconds));
    const deduped = ids.filter((id) => windows.get(id)! > 0);
    const [state, recent] = await Promise.all([
      this.pool.query<StateRow>(stateSql, [ids]),
      deduped.length === 0
        ? Promise.resolve({ rows: [] as { id: string; msg_id: string; seq: string; ts: Date }[] })
        : this.pool.query<{ id: string; msg_id: string; seq: string; ts: Date }>(
            // The partial index on (stream_id, msg_id) finds them; each stream's window is applied below.
            `select stream_id as id, msg_id, seq, ts from stream_messages
              where stream_id = any($1::bigint[]) and msg_id is not null
                and ts > now() - make_interval(secs => $2)
              order by stream_id, seq`,
            [deduped, Math.max(...deduped.map((id) => windows.get(id)!))],
          ),
    ]);
    const loaded = new Map<number, LoadedStream>();
    const recentOf = new Map<number, { msgId: string; seq: number; ts: Date }[]>();
    const now = Date.now();
    for (const r of recent.rows) {
      if (r.ts.getTime() <= now - windows.get(Number(r.id) as StreamId)! * 1000) continue;
      let list = recentOf.get(Number(r.id));
      if (!list) recentOf.set(Number(r.id), (list = []));
      list.push({ msgId: r.msg_id, seq: Number(r.seq), ts: r.ts });
    }
    for (const r of state.rows)
      loaded.set(Number(r.id), toLoaded(r, recentOf.get(Number(r.id)) ?? []));
    // The same stream asked twice with different windows gets the longer one's ids (a superset).
    return keys.map((k) => loaded.get(k.streamId)!);
  }
}

const SEGMENTS = `cross join lateral (
     select coalesce(sum(messages), 0) as cn, coalesce(sum(value_bytes), 0) as cb,
            min(first_seq) as clo, max(last_seq) as chi, max(last_ts) as cts
       from stream_segments where stream_id = u.id) g`;

/** Every hot row of each stream is read: O(messages). */
const STATE_SQL = `select u.id, m.n, m.b, m.lo, m.hi, m.ts, s.last_seq as floor, g.cn, g.cb, g.clo, g.chi, g.cts
   from unnest($1::bigint[]) as u(id)
   left join streams s on s.id = u.id
   cross join lateral (
     select count(*) as n, coalesce(sum(value_size), 0) as b, min(seq) as lo, max(seq) as hi, max(ts) as ts
       from stream_messages where stream_id = u.id) m
   ${SEGMENTS}`;

/** The ends of each stream from the primary key; the newest row's ts stands for the latest. */
const HEAD_SQL = `select u.id, 0 as n, 0 as b, lo.seq as lo, hi.seq as hi, hi.ts, s.last_seq as floor,
        0 as cn, 0 as cb, g.clo, g.chi, g.cts
   from unnest($1::bigint[]) as u(id)
   left join streams s on s.id = u.id
   left join lateral (
     select seq, ts from stream_messages where stream_id = u.id order by seq desc limit 1) hi on true
   left join lateral (
     select seq from stream_messages where stream_id = u.id order by seq limit 1) lo on true
   ${SEGMENTS}`;

function toLoaded(r: StateRow, recentMsgIds: LoadedStream["recentMsgIds"]): LoadedStream {
  // Deleting the newest messages must not let their seqs be reused: streams.last_seq remembers them.
  const lastSeq = Math.max(Number(r.hi ?? 0), Number(r.floor ?? 0), Number(r.chi ?? 0));
  // The cold tier (segments) holds the oldest messages.
  const lo = r.clo ?? r.lo;
  return {
    firstSeq: lo !== null ? Number(lo) : lastSeq + 1,
    lastSeq,
    messages: Number(r.n) + Number(r.cn),
    bytes: Number(r.b) + Number(r.cb),
    lastTs: r.ts ?? r.cts,
    recentMsgIds,
  };
}
