import {
  type BucketId,
  type BucketRef,
  CommitFailed,
  type KvCommitBatch,
  type KvCommitOutcome,
  kvConfigFromJson,
  type KvLog,
  type LoadedBucket,
  type StoredKey,
} from "@strata/core";
import type pg from "pg";
import { fencedTransaction } from "../fenced-tx.js";
import { applyChanges, type BucketUpdate, finalStates, pruneAndCount } from "./kv-commit.pg.js";

/**
 * KV storage for the bucket owner. One fenced transaction per group-commit
 * batch: lock the batch's buckets (proving each is at the revision the
 * batch starts from), append the change log, upsert/delete the entries,
 * prune history beyond `history` per key, and move the bucket counters.
 */
export class KvLogPg implements KvLog {
  constructor(private readonly pool: pg.Pool) {}

  async load(bucketId: BucketId): Promise<LoadedBucket | null> {
    const { rows } = await this.pool.query<{
      last_revision: string;
      compacted_revision: string;
      keys: string;
      bytes: string;
    }>("select last_revision, compacted_revision, keys, bytes from kv_buckets where id = $1", [
      bucketId,
    ]);
    const r = rows[0];
    return r
      ? {
          lastRevision: Number(r.last_revision),
          compactedRevision: Number(r.compacted_revision),
          keys: Number(r.keys),
          bytes: Number(r.bytes),
        }
      : null;
  }

  async loadKeys(bucketId: BucketId, keys: readonly string[]): Promise<Map<string, StoredKey>> {
    const { rows } = await this.pool.query<{
      key: string;
      revision: string;
      create_revision: string;
      value: Buffer;
      expires_at: Date | null;
    }>(
      `select key, revision, create_revision, value, expires_at from kv_entries
        where bucket_id = $1 and key = any($2::text[])`,
      [bucketId, keys],
    );
    return new Map(
      rows.map((r) => [
        r.key,
        {
          revision: Number(r.revision),
          createRevision: Number(r.create_revision),
          value: r.value,
          expiresAt: r.expires_at,
        },
      ]),
    );
  }

  async expiredKeys(bucketId: BucketId, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ key: string }>(
      `select key from kv_entries
        where bucket_id = $1 and expires_at is not null and expires_at <= now()
        order by expires_at limit $2`,
      [bucketId, limit],
    );
    return rows.map((r) => r.key);
  }

  async bucketsWithExpiredKeys(limit: number): Promise<BucketRef[]> {
    const { rows } = await this.pool.query<{
      id: string;
      tenant_id: string;
      name: string;
      config: Record<string, unknown>;
    }>(
      `select b.id, b.tenant_id, b.name, b.config from kv_buckets b
        where b.mode = 'standard' and exists (
          select 1 from kv_entries e
           where e.bucket_id = b.id and e.expires_at is not null and e.expires_at <= now())
        limit $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: Number(r.id) as BucketId,
      tenantId: r.tenant_id,
      name: r.name,
      config: kvConfigFromJson(r.config),
    }));
  }

  async commit(batch: KvCommitBatch, predecessor: Promise<unknown>): Promise<KvCommitOutcome> {
    return fencedTransaction(this.pool, batch.nodeId, async (client) => {
      // The batch before this one commits first; its row locks are gone by the time we take ours.
      try {
        await predecessor;
      } catch {
        throw new CommitFailed("An earlier batch failed, so this one was not committed; retry.");
      }
      const ids = [...new Set(batch.buckets.map((b) => b.bucketId))].sort((a, b) => a - b);
      const { rows } = await client.query<{ id: string; last_revision: string }>(
        "select id, last_revision from kv_buckets where id = any($1::bigint[]) order by id for update",
        [ids],
      );
      const at = new Map(rows.map((r) => [Number(r.id), Number(r.last_revision)]));
      for (const b of batch.buckets) {
        const now = at.get(b.bucketId);
        // Belt and braces: revisions stay dense even if ownership had a bug.
        if (now !== undefined && b.prevRevision !== null && now !== b.prevRevision) {
          throw new CommitFailed(
            `Bucket ${b.bucketId} is at revision ${now}, not ${b.prevRevision}; it was reloaded.`,
          );
        }
      }
      const missing = batch.buckets.filter((b) => !at.has(b.bucketId)).map((b) => b.bucketId);
      const present = batch.buckets.filter((b) => at.has(b.bucketId));
      const changes = batch.changes.filter((c) => at.has(c.bucketId));
      if (present.length === 0) return { buckets: [], missing };

      const finals = finalStates(changes);
      const before = await applyChanges(client, changes, finals);
      const updates = new Map<number, BucketUpdate>(
        present.map((b) => [
          b.bucketId,
          { bucketId: b.bucketId, lastRevision: b.lastRevision, keys: 0, bytes: 0 },
        ]),
      );
      for (const f of finals) {
        if (f.kind === "touch") continue;
        const u = updates.get(f.bucketId)!;
        const old = before.get(`${f.bucketId}\u0000${f.key}`);
        const size = f.kind === "put" ? f.value!.byteLength : 0;
        updates.set(f.bucketId, {
          ...u,
          keys: u.keys + (f.kind === "put" ? 1 : 0) - (old !== undefined ? 1 : 0),
          bytes: u.bytes + size - (old ?? 0),
        });
      }
      const buckets = await pruneAndCount(client, present, changes, [...updates.values()]);
      return { buckets, missing };
    });
  }
}
