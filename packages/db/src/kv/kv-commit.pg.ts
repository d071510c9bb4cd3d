import { type BucketId, type KvBatchBucket, type KvChange } from "@strata/core";
import type pg from "pg";

type Client = pg.PoolClient;

/** The state a batch leaves a key in; `touch` only moves the expiry of a key the batch did not write. */
export interface Final {
  readonly bucketId: BucketId;
  readonly key: string;
  readonly kind: "put" | "remove" | "touch";
  readonly revision: number | null;
  readonly value: Uint8Array | null;
  readonly expiresAt: Date | null;
}

/** The last state per key of a batch's changes (applied in acceptance order). */
export function finalStates(changes: readonly KvChange[]): Final[] {
  const finals = new Map<string, Final>();
  for (const c of changes) {
    const id = `${c.bucketId}\u0000${c.key}`;
    const prev = finals.get(id);
    if (c.op !== "touch") finals.set(id, { ...c, kind: c.op === "put" ? "put" : "remove" });
    else if (prev && prev.kind !== "touch") finals.set(id, { ...prev, expiresAt: c.expiresAt });
    else finals.set(id, { ...c, kind: "touch" });
  }
  return [...finals.values()];
}

const column = <T, V>(rows: readonly T[], pick: (row: T) => V) => rows.map(pick);

/**
 * One statement: appends the change log, upserts the keys the batch leaves
 * written, deletes the removed ones, moves touched expiries — and returns
 * the stored sizes the written keys had before (all parts see the same
 * snapshot), for the bucket counters. Arrays, not VALUES lists, so any
 * batch fits one statement; the values travel once, as one binary
 * parameter that rows slice by offset (a bytea array would go as hex text,
 * and a key's final value twice).
 */
export async function applyChanges(
  client: Client,
  changes: readonly KvChange[],
  finals: readonly Final[],
): Promise<Map<string, number>> {
  const events = changes.filter((c) => c.op !== "touch");
  const packed = new PackedValues();
  const ev = events.map((c) => packed.slice(c.value));
  const fv = finals.map((f) => packed.slice(f.value));
  const { rows } = await client.query<{ bucket_id: string; key: string; size: number }>(
    `with ev as (
       insert into kv_events (bucket_id, revision, key, op, value, expires_at)
       select b, r, k, o, case when l is null then null else substring($15::bytea from p + 1 for l) end, x
         from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::int[],
                     $7::timestamptz[]) as t(b, r, k, o, p, l, x)),
     f as (select bucket_id, key, kind, revision, expires_at,
                  case when l is null then null else substring($15::bytea from p + 1 for l) end as value
             from unnest($8::bigint[], $9::text[], $10::text[], $11::bigint[], $12::int[], $13::int[],
                         $14::timestamptz[]) as f(bucket_id, key, kind, revision, p, l, expires_at)),
     old as (select e.bucket_id, e.key, octet_length(e.value) as size
               from kv_entries e join f on e.bucket_id = f.bucket_id and e.key = f.key
              where f.kind <> 'touch'),
     up as (
       insert into kv_entries as e (bucket_id, key, revision, create_revision, value, expires_at)
       select bucket_id, key, revision, revision, value, expires_at from f where kind = 'put'
       on conflict (bucket_id, key) do update
          set revision = excluded.revision, value = excluded.value, expires_at = excluded.expires_at,
              updated_at = now(),
              -- A key written again after its expiry starts a new life.
              create_revision = case when e.expires_at <= now() then excluded.create_revision
                                     else e.create_revision end),
     del as (delete from kv_entries e using f
              where f.kind = 'remove' and e.bucket_id = f.bucket_id and e.key = f.key),
     tch as (update kv_entries e set expires_at = f.expires_at, updated_at = now() from f
              where f.kind = 'touch' and e.bucket_id = f.bucket_id and e.key = f.key)
     select bucket_id, key, size from old`,
    [
      column(events, (c) => c.bucketId),
      column(events, (c) => c.revision),
      column(events, (c) => c.key),
      column(events, (c) => c.op),
      column(ev, (v) => v.at),
      column(ev, (v) => v.length),
      column(events, (c) => c.expiresAt),
      column(finals, (f) => f.bucketId),
      column(finals, (f) => f.key),
      column(finals, (f) => f.kind),
      column(finals, (f) => f.revision),
      column(fv, (v) => v.at),
      column(fv, (v) => v.length),
      column(finals, (f) => f.expiresAt),
      packed.buffer(),
    ],
  );
  return new Map(rows.map((r) => [`${r.bucket_id}\u0000${r.key}`, r.size]));
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
  before: ReadonlyMap<string, number>,
): BucketUpdate[] {
  const updates = new Map<number, BucketUpdate>(
    buckets.map((b) => [
      b.bucketId,
      { bucketId: b.bucketId, lastRevision: b.lastRevision, keys: 0, bytes: 0 },
    ]),
  );
  for (const f of finals) {
    const u = updates.get(f.bucketId);
    if (f.kind === "touch" || !u) continue;
    const old = before.get(`${f.bucketId}\u0000${f.key}`);
    const size = f.kind === "put" ? f.value!.byteLength : 0;
    updates.set(f.bucketId, {
      ...u,
      keys: u.keys + (f.kind === "put" ? 1 : 0) - (old !== undefined ? 1 : 0),
      bytes: u.bytes + size - (old ?? 0),
    });
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
 * Keeps each changed key's newest `history` changes and deletes the rest.
 * Returns, per bucket, the highest revision deleted (it raises the bucket's
 * compaction floor). Runs only over keys no other transaction in flight has
 * uncommitted changes of, so the events it counts are all there are.
 */
export async function pruneHistory(
  client: Client,
  buckets: readonly KvBatchBucket[],
  changes: readonly KvChange[],
): Promise<Map<number, number>> {
  const keep = new Map(buckets.map((b) => [b.bucketId as number, b.history]));
  const keys = new Map<string, { bucketId: number; key: string }>();
  for (const c of changes) {
    if (c.op !== "touch" && keep.has(c.bucketId)) keys.set(`${c.bucketId}\u0000${c.key}`, c);
  }
  const list = [...keys.values()];
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
