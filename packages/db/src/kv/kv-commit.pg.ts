import { type BucketId, type KvChange, type KvOp } from "@strata/core";
import type pg from "pg";

type Client = pg.PoolClient;

/** The state a batch leaves a key in; `touch` only moves the expiry of a key the batch did not write. */
export interface Final {
  readonly bucketId: BucketId;
  readonly key: string;
  readonly kind: KvOp | "touch";
  readonly revision: number | null;
  readonly value: Uint8Array | null;
  readonly expiresAt: Date | null;
}

/**
 * The last state per key of a batch's changes (applied in acceptance order),
 * and the changes a later change of the same key in the batch replaced.
 */
export function finalStates(changes: readonly KvChange[]): {
  finals: Final[];
  superseded: KvChange[];
} {
  const finals = new Map<string, Final>();
  const superseded: KvChange[] = [];
  const written = new Map<string, KvChange>();
  for (const c of changes) {
    const id = `${c.bucketId}\u0000${c.key}`;
    const { bucketId, key, op, revision, value, expiresAt } = c;
    if (op !== "touch") {
      const replaced = written.get(id);
      if (replaced) superseded.push(replaced);
      written.set(id, c);
      finals.set(id, { bucketId, key, kind: op, revision, value, expiresAt });
      continue;
    }
    const prev = finals.get(id);
    if (prev && prev.kind !== "touch") finals.set(id, { ...prev, expiresAt });
    else finals.set(id, { bucketId, key, kind: "touch", revision, value, expiresAt });
  }
  return { finals: [...finals.values()], superseded };
}

const column = <T, V>(rows: readonly T[], pick: (row: T) => V) => rows.map(pick);

/** Per bucket, what a batch's writes replaced in `kv_entries`. */
export interface Replaced {
  /** Live values replaced (or deleted), and their bytes: the counters move by these. */
  readonly live: number;
  readonly bytes: number;
  /** Highest revision replaced in a bucket that keeps no history (it is gone), else 0. */
  readonly lost: number;
}

const VALUE = "case when l is null then null else substring($9::bytea from p + 1 for l) end";

/** The batch's final states, one row per key, values sliced from the one binary parameter. */
const FINALS = `f as (
  select bucket_id, key, kind, revision, expires_at, keep, ${VALUE} as value
    from unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[],
                $7::timestamptz[], $8::bool[]) as f(bucket_id, key, kind, revision, p, l, expires_at, keep))`;

/** Writes each key's newest change; `replaced_*` keep what the row held before. */
const UPSERT = `up as (
  insert into kv_entries as e (bucket_id, key, revision, create_revision, op, value, expires_at)
  select bucket_id, key, revision, revision, kind, value, expires_at from f where kind <> 'touch'
  on conflict (bucket_id, key) do update
     set revision = excluded.revision, op = excluded.op, value = excluded.value,
         expires_at = excluded.expires_at, updated_at = now(),
         replaced_revision = e.revision, replaced_op = e.op, replaced_bytes = octet_length(e.value),
         -- A key written again after its deletion or expiry starts a new life.
         create_revision = case when e.op <> 'put' or e.expires_at <= now()
                                then excluded.create_revision else e.create_revision end
  returning bucket_id, replaced_revision, replaced_op, replaced_bytes)`;

const TOUCH = `tch as (
  update kv_entries e set expires_at = f.expires_at, updated_at = now() from f
   where f.kind = 'touch' and e.bucket_id = f.bucket_id and e.key = f.key and e.op = 'put')`;

/** History 1 everywhere: the upsert alone says what it replaced. */
const APPLY_LAST_ONLY = {
  name: "kv_apply_last_only",
  text: `with ${FINALS}, ${UPSERT}, ${TOUCH}
    select bucket_id, count(*) filter (where replaced_op = 'put') as live,
           sum(replaced_bytes) filter (where replaced_op = 'put') as bytes,
           max(replaced_revision) as lost
      from up group by bucket_id`,
};

/** Some bucket keeps history: the replaced rows (and the batch's own replaced changes) move to kv_events. */
const APPLY_KEEPING_HISTORY = {
  name: "kv_apply_keeping_history",
  text: `with ${FINALS}, ${UPSERT}, ${TOUCH},
    old as (select e.bucket_id, e.key, e.revision, e.op, e.value, e.expires_at, f.keep
              from kv_entries e join f on e.bucket_id = f.bucket_id and e.key = f.key
             where f.kind <> 'touch'),
    ev as (
      insert into kv_events (bucket_id, revision, key, op, value, expires_at)
      select bucket_id, revision, key, op, value, expires_at from old where keep
      union all
      select b, r, k, o, case when l is null then null else substring($9::bytea from p + 1 for l) end, x
        from unnest($10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::int[], $15::int[],
                    $16::timestamptz[]) as t(b, r, k, o, p, l, x)
      on conflict do nothing)
    select bucket_id, count(*) filter (where op = 'put') as live,
           sum(octet_length(value)) filter (where op = 'put') as bytes,
           max(revision) filter (where not keep) as lost
      from old group by bucket_id`,
};

/**
 * One statement: upserts each key's newest change into `kv_entries` (a value
 * or a tombstone), moves touched expiries, and — for buckets that keep
 * history (`keeps`) — copies the replaced rows and the batch's own replaced
 * changes into `kv_events`. Returns, per bucket, what the writes replaced
 * (all parts see the same snapshot), for the counters and the compaction
 * floor. With history 1 a put is one upsert, like a plain key-value table.
 * Arrays, not VALUES lists, so any batch fits one (prepared) statement; the
 * values travel once, as one binary parameter that rows slice by offset (a
 * bytea array would go as hex text).
 */
export async function applyChanges(
  client: Client,
  finals: readonly Final[],
  superseded: readonly KvChange[],
  keeps: (bucketId: number) => boolean,
): Promise<Map<number, Replaced>> {
  const packed = new PackedValues();
  const kept = superseded.filter((c) => keeps(c.bucketId));
  const ev = kept.map((c) => packed.slice(c.value));
  const fv = finals.map((f) => packed.slice(f.value));
  const keeping = finals.some((f) => keeps(f.bucketId));
  const values: unknown[] = [
    column(finals, (f) => f.bucketId),
    column(finals, (f) => f.key),
    column(finals, (f) => f.kind),
    column(finals, (f) => f.revision),
    column(fv, (v) => v.at),
    column(fv, (v) => v.length),
    column(finals, (f) => f.expiresAt),
    column(finals, (f) => keeps(f.bucketId)),
    packed.buffer(),
  ];
  if (keeping) {
    values.push(
      column(kept, (c) => c.bucketId),
      column(kept, (c) => c.revision),
      column(kept, (c) => c.key),
      column(kept, (c) => c.op),
      column(ev, (v) => v.at),
      column(ev, (v) => v.length),
      column(kept, (c) => c.expiresAt),
    );
  }
  const { rows } = await client.query<{
    bucket_id: string;
    live: string;
    bytes: string | null;
    lost: string | null;
  }>(keeping ? APPLY_KEEPING_HISTORY : APPLY_LAST_ONLY, values);
  return new Map(
    rows.map((r) => [
      Number(r.bucket_id),
      { live: Number(r.live), bytes: Number(r.bytes ?? 0), lost: Number(r.lost ?? 0) },
    ]),
  );
}

/** Values laid end to end in one buffer; the same value object is stored once. */
class PackedValues {
  private readonly parts: Uint8Array[] = [];
  private readonly seen = new Map<Uint8Array, number>();
  private size = 0;

  /** Where `value` lies in the buffer (nulls for no value). */
  slice(value: Uint8Array | null): { at: number | null; length: number | null } {
    if (value === null) return { at: null, length: null };
    let at = this.seen.get(value);
    if (at === undefined) {
      this.seen.set(value, (at = this.size));
      this.parts.push(value);
      this.size += value.byteLength;
    }
    return { at, length: value.byteLength };
  }

  buffer(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}
