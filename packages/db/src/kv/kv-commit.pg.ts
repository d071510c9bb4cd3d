import { type BucketId, type KvBatchBucket, type KvChange, type KvOp } from "@strata/core";
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

/** The change a write replaced in `kv_entries` (a live value or a tombstone). */
export interface Replaced {
  readonly revision: number;
  readonly op: KvOp;
  readonly size: number;
}

/**
 * One statement: upserts each key's newest change into `kv_entries` (a value
 * or a tombstone), moves touched expiries, and — for buckets that keep
 * history (`keeps`) — copies the replaced rows and the batch's own replaced
 * changes into `kv_events`. Returns what each written key replaced (all
 * parts see the same snapshot), for the counters and the compaction floor.
 * With history 1 a put is one upsert, like a plain key-value table. Arrays,
 * not VALUES lists, so any batch fits one statement; the values travel once,
 * as one binary parameter that rows slice by offset (a bytea array would go
 * as hex text).
 */
export async function applyChanges(
  client: Client,
  finals: readonly Final[],
  superseded: readonly KvChange[],
  keeps: (bucketId: number) => boolean,
): Promise<Map<string, Replaced>> {
  const packed = new PackedValues();
  const kept = superseded.filter((c) => keeps(c.bucketId));
  const ev = kept.map((c) => packed.slice(c.value));
  const fv = finals.map((f) => packed.slice(f.value));
  const { rows } = await client.query<{
    bucket_id: string;
    key: string;
    revision: string;
    op: KvOp;
    size: number | null;
  }>(
    `with f as (select bucket_id, key, kind, revision, expires_at, keep,
                  case when l is null then null else substring($16::bytea from p + 1 for l) end as value
             from unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[],
                         $7::timestamptz[], $8::bool[])
                  as f(bucket_id, key, kind, revision, p, l, expires_at, keep)),
     old as (select e.bucket_id, e.key, e.revision, e.op, e.value, e.expires_at, f.keep
               from kv_entries e join f on e.bucket_id = f.bucket_id and e.key = f.key
              where f.kind <> 'touch'),
     ev as (
       insert into kv_events (bucket_id, revision, key, op, value, expires_at)
       select bucket_id, revision, key, op, value, expires_at from old where keep
       union all
       select b, r, k, o, case when l is null then null else substring($16::bytea from p + 1 for l) end, x
         from unnest($9::bigint[], $10::bigint[], $11::text[], $12::text[], $13::int[], $14::int[],
                     $15::timestamptz[]) as t(b, r, k, o, p, l, x)
       on conflict do nothing),
     up as (
       insert into kv_entries as e (bucket_id, key, revision, create_revision, op, value, expires_at)
       select bucket_id, key, revision, revision, kind, value, expires_at from f where kind <> 'touch'
       on conflict (bucket_id, key) do update
          set revision = excluded.revision, op = excluded.op, value = excluded.value,
              expires_at = excluded.expires_at, updated_at = now(),
              -- A key written again after its deletion or expiry starts a new life.
              create_revision = case when e.op <> 'put' or e.expires_at <= now()
                                     then excluded.create_revision else e.create_revision end),
     tch as (update kv_entries e set expires_at = f.expires_at, updated_at = now() from f
              where f.kind = 'touch' and e.bucket_id = f.bucket_id and e.key = f.key and e.op = 'put')
     select bucket_id, key, revision, op, octet_length(value) as size from old`,
    [
      column(finals, (f) => f.bucketId),
      column(finals, (f) => f.key),
      column(finals, (f) => f.kind),
      column(finals, (f) => f.revision),
      column(fv, (v) => v.at),
      column(fv, (v) => v.length),
      column(finals, (f) => f.expiresAt),
      column(finals, (f) => keeps(f.bucketId)),
      column(kept, (c) => c.bucketId),
      column(kept, (c) => c.revision),
      column(kept, (c) => c.key),
      column(kept, (c) => c.op),
      column(ev, (v) => v.at),
      column(ev, (v) => v.length),
      column(kept, (c) => c.expiresAt),
      packed.buffer(),
    ],
  );
  return new Map(
    rows.map((r) => [
      `${r.bucket_id}\u0000${r.key}`,
      { revision: Number(r.revision), op: r.op, size: r.size ?? 0 },
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

/** Each bucket's new revision and how its key and byte counters move, from the rows it replaced. */
export function counterUpdates(
  buckets: readonly KvBatchBucket[],
  finals: readonly Final[],
  before: ReadonlyMap<string, Replaced>,
): BucketUpdate[] {
  const updates = new Map<number, { -readonly [K in keyof BucketUpdate]: BucketUpdate[K] }>(
    buckets.map((b) => [
      b.bucketId,
      { bucketId: b.bucketId, lastRevision: b.lastRevision, keys: 0, bytes: 0 },
    ]),
  );
  for (const f of finals) {
    const u = updates.get(f.bucketId);
    if (f.kind === "touch" || !u) continue;
    const old = before.get(`${f.bucketId}\u0000${f.key}`);
    const live = old?.op === "put";
    if (f.kind === "put") {
      u.keys++;
      u.bytes += f.value!.byteLength;
    }
    if (live) {
      u.keys--;
      u.bytes -= old.size;
    }
  }
  return [...updates.values()];
}

export interface BucketUpdate {
  readonly bucketId: number;
  readonly lastRevision: number | null;
  readonly keys: number;
  readonly bytes: number;
}

/**
 * The highest revision each history-1 bucket lost in this batch: the
 * changes its writes replaced (kept nowhere) raise its compaction floor.
 */
export function replacedFloors(
  keeps: (bucketId: number) => boolean,
  before: ReadonlyMap<string, Replaced>,
  superseded: readonly KvChange[],
): Map<number, number> {
  const floors = new Map<number, number>();
  const raise = (bucketId: number, revision: number) => {
    if (!keeps(bucketId)) floors.set(bucketId, Math.max(revision, floors.get(bucketId) ?? 0));
  };
  for (const [id, r] of before) raise(Number(id.slice(0, id.indexOf("\u0000"))), r.revision);
  for (const c of superseded) raise(c.bucketId, c.revision!);
  return floors;
}

/**
 * Keeps each changed key's newest `history - 1` older revisions in
 * `kv_events` (its newest is in `kv_entries`) and deletes the rest, for
 * buckets with history above 1. Returns, per bucket, the highest revision
 * deleted (it raises the bucket's compaction floor). Runs only over keys no
 * other transaction in flight has uncommitted changes of, so the rows it
 * counts are all there are.
 */
export async function pruneHistory(
  client: Client,
  buckets: readonly KvBatchBucket[],
  finals: readonly Final[],
): Promise<Map<number, number>> {
  const keep = new Map(
    buckets.filter((b) => b.history > 1).map((b) => [b.bucketId as number, b.history - 1]),
  );
  const list = finals.filter((f) => f.kind !== "touch" && keep.has(f.bucketId));
  if (list.length === 0) return new Map();
  const { rows } = await client.query<{ bucket_id: string; revision: string }>(
    `with k as (select * from unnest($1::bigint[], $2::text[], $3::int[]) as k(bucket_id, key, keep)),
          cut as (select k.bucket_id, k.key,
                         (select e.revision from kv_events e
                           where e.bucket_id = k.bucket_id and e.key = k.key
                           order by e.revision desc offset k.keep limit 1) as revision
                    from k),
          del as (delete from kv_events e using cut
                   where cut.revision is not null and e.bucket_id = cut.bucket_id
                     and e.key = cut.key and e.revision <= cut.revision
               returning e.bucket_id, e.revision)
     select bucket_id, max(revision) as revision from del group by bucket_id`,
    [
      column(list, (k) => k.bucketId),
      column(list, (k) => k.key),
      column(list, (k) => keep.get(k.bucketId) ?? 1),
    ],
  );
  return new Map(rows.map((r) => [Number(r.bucket_id), Number(r.revision)]));
}

/** Moves each bucket's revision, counters and compaction floor; returns the counters after. */
export async function moveCounters(
  client: Client,
  updates: readonly BucketUpdate[],
  pruned: ReadonlyMap<number, number>,
): Promise<{ bucketId: BucketId; keys: number; bytes: number; compactedRevision: number }[]> {
  const { rows } = await client.query<{
    id: string;
    keys: string;
    bytes: string;
    compacted_revision: string;
  }>(
    `update kv_buckets b
        set last_revision = coalesce(v.last, b.last_revision), keys = b.keys + v.keys,
            bytes = b.bytes + v.bytes, updated_at = now(),
            compacted_revision = greatest(b.compacted_revision, v.pruned)
       from unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
            as v(id, last, keys, bytes, pruned)
      where b.id = v.id
  returning b.id, b.keys, b.bytes, b.compacted_revision`,
    [
      column(updates, (u) => u.bucketId),
      column(updates, (u) => u.lastRevision),
      column(updates, (u) => u.keys),
      column(updates, (u) => u.bytes),
      column(updates, (u) => pruned.get(u.bucketId) ?? 0),
    ],
  );
  return rows.map((r) => ({
    bucketId: Number(r.id) as BucketId,
    keys: Number(r.keys),
    bytes: Number(r.bytes),
    compactedRevision: Number(r.compacted_revision),
  }));
}
