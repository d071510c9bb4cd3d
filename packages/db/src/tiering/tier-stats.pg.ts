import type pg from "pg";

/** Where a stream's messages live: rows in Postgres, segments in the object store. */
export interface TierSplit {
  readonly hot: { readonly messages: number; readonly bytes: number };
  readonly cold: {
    readonly segments: number;
    readonly messages: number;
    /** Value bytes the segments hold (what `max_bytes` counts). */
    readonly bytes: number;
    /** Bytes stored in the object store (compressed segments plus large-value objects). */
    readonly objectBytes: number;
  };
}

/** The hot/cold split of some streams (for the admin view). */
export async function tierSplit(
  pool: pg.Pool,
  ids: readonly number[],
): Promise<Map<number, TierSplit>> {
  if (ids.length === 0) return new Map();
  const { rows } = await pool.query<Record<string, string>>(
    `select i.id,
            (select count(*) from stream_messages m where m.stream_id = i.id) as hot_n,
            (select coalesce(sum(value_size), 0) from stream_messages m where m.stream_id = i.id) as hot_b,
            c.n as seg, c.msgs, c.vb, c.ob
       from unnest($1::bigint[]) as i(id)
       cross join lateral (select count(*) as n, coalesce(sum(messages), 0) as msgs,
                                  coalesce(sum(value_bytes), 0) as vb,
                                  coalesce(sum(bytes + external_bytes), 0) as ob
                             from stream_segments s where s.stream_id = i.id) c`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        hot: { messages: Number(r.hot_n), bytes: Number(r.hot_b) },
        cold: {
          segments: Number(r.seg),
          messages: Number(r.msgs),
          bytes: Number(r.vb),
          objectBytes: Number(r.ob),
        },
      },
    ]),
  );
}
