import { type BucketId, type KvBatchBucket, type KvChange } from "@strata/core";
import type pg from "pg";
import { type Final, type Replaced } from "./kv-commit.pg.js";

type Client = pg.PoolClient;

const column = <T, V>(rows: readonly T[], pick: (row: T) => V) => rows.map(pick);

/** Each bucket's new revision and how its key and byte counters move, from the rows it replaced. */
export function counterUpdates(
  buckets: readonly KvBatchBucket[],
  finals: readonly Final[],
  replaced: ReadonlyMap<number, Replaced>,
): BucketUpdate[] {
  const updates = new Map<number, { -readonly [K in keyof BucketUpdate]: BucketUpdate[K] }>();
  for (const b of buckets) {
    const r = replaced.get(b.bucketId);
    const { bucketId, lastRevision } = b;
    updates.set(bucketId, {
      bucketId,
      lastRevision,
      keys: -(r?.live ?? 0),
      bytes: -(r?.bytes ?? 0),
    });
  }
  for (const f of finals) {
    const u = updates.get(f.bucketId);
    if (f.kind !== "put" || !u) continue;
    u.keys++;
    u.bytes += f.value!.byteLength;
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
  replaced: ReadonlyMap<number, Replaced>,
  superseded: readonly KvChange[],
): Map<number, number> {
  const floors = new Map<number, number>();
  const raise = (bucketId: number, revision: number) => {
    if (!keeps(bucketId)) floors.set(bucketId, Math.max(revision, floors.get(bucketId) ?? 0));
  };
  for (const [bucketId, r] of replaced) if (r.lost > 0) raise(bucketId, r.lost);
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
