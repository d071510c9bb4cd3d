import {
  type BucketId,
  type BucketRef,
  CommitFailed,
  type KvCommitBatch,
  type KvChange,
  type KvCommitOutcome,
  kvConfigFromJson,
  type KvLog,
  type LoadedBucket,
  type StoredKey,
} from "@strata/core";
import type pg from "pg";
import { fencedTransaction } from "../fenced-tx.js";
import { KeyReadBatcher } from "./kv-read-batcher.pg.js";
import { applyChanges, finalStates, type Replaced } from "./kv-commit.pg.js";
import { counterUpdates, moveCounters, pruneHistory, replacedFloors } from "./kv-counters.pg.js";

/**
 * KV storage for the bucket owner. One fenced transaction per group-commit
 * batch: append the change log, upsert/delete the entries, lock the batch's
 * buckets (proving each is at the revision the batch starts from), prune
 * history beyond `history` per key, and move the bucket counters.
 */
export class KvLogPg implements KvLog {
  private readonly keyReads: KeyReadBatcher<StoredKey>;

  constructor(private readonly pool: pg.Pool) {
    this.keyReads = new KeyReadBatcher<StoredKey>(async (bucketId, keys) => {
      const { rows } = await this.pool.query<{
        key: string;
        revision: string;
        create_revision: string;
        value: Buffer | null;
        expires_at: Date | null;
      }>({
        name: "kv_load_keys",
        text: `select key, revision, create_revision, value, expires_at from kv_entries
                where bucket_id = $1 and key = any($2::text[]) and op = 'put'`,
        values: [bucketId, keys],
      });
      return new Map(
        rows.map((r) => [
          r.key,
          {
            revision: Number(r.revision),
            createRevision: Number(r.create_revision),
            value: r.value ?? Buffer.alloc(0),
            expiresAt: r.expires_at,
          },
        ]),
      );
    });
  }

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

  /** Loads issued together (CAS, transactions) share one indexed select per bucket. */
  loadKeys(bucketId: BucketId, keys: readonly string[]): Promise<Map<string, StoredKey>> {
    return this.keyReads.read(bucketId, keys);
  }

  async expiredKeys(bucketId: BucketId, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ key: string }>(
      `select key from kv_entries
        where bucket_id = $1 and expires_at is not null and expires_at <= now() and op = 'put'
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
           where e.bucket_id = b.id and e.expires_at is not null and e.expires_at <= now()
             and e.op = 'put')
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

  /**
   * Several batches are in flight at once (DESIGN §1). A batch writes the
   * change log and entries of its uncontended keys and prunes their history
   * at once — no other transaction in flight touches them, so nothing waits
   * and the statements' snapshots are current for them — then waits for the
   * batch before it to commit, does the same for its contended keys (written
   * by a batch that was still in flight when the change was accepted), locks
   * its buckets (checking each is at `prevRevision`), moves the counters and
   * commits.
   */
  async commit(batch: KvCommitBatch, predecessor: Promise<unknown>): Promise<KvCommitOutcome> {
    return fencedTransaction(this.pool, batch.nodeId, async (client) => {
      const ids = [...new Set(batch.buckets.map((b) => b.bucketId))].sort((a, b) => a - b);
      const { rows: found } = await client.query<{ id: string }>(
        "select id from kv_buckets where id = any($1::bigint[])",
        [ids],
      );
      const exists = new Set(found.map((r) => Number(r.id)));
      const changes = batch.changes.filter((c) => exists.has(c.bucketId));
      const { now, later } = splitContended(changes);
      const history = new Map(batch.buckets.map((b) => [b.bucketId as number, b.history]));
      const keeps = (bucketId: number) => (history.get(bucketId) ?? 1) > 1;
      const parts = [finalStates(now), finalStates(later)];
      const finals = parts.flatMap((p) => p.finals);
      const floors = new Map<number, number>();
      const raise = (found: ReadonlyMap<number, number>) => {
        for (const [id, r] of found) floors.set(id, Math.max(r, floors.get(id) ?? 0));
      };
      const before = new Map<number, Replaced>();
      // Uncontended keys first, while the batch before may still be in flight; then the rest.
      for (const [i, part] of parts.entries()) {
        if (i === 1) {
          try {
            await predecessor;
          } catch {
            throw new CommitFailed(
              "An earlier batch failed, so this one was not committed; retry.",
            );
          }
        }
        if (part.finals.length === 0) continue;
        const replaced = await applyChanges(client, part.finals, part.superseded, keeps);
        for (const [id, r] of replaced) {
          const b = before.get(id);
          before.set(id, b ? sumReplaced(b, r) : r);
        }
        raise(replacedFloors(keeps, replaced, part.superseded));
        raise(await pruneHistory(client, batch.buckets, part.finals));
      }
      // No key update: the change log's foreign key checks of later batches do not wait on it.
      const { rows } = await client.query<{ id: string; last_revision: string }>(
        "select id, last_revision from kv_buckets where id = any($1::bigint[]) order by id for no key update",
        [ids],
      );
      const at = new Map(rows.map((r) => [Number(r.id), Number(r.last_revision)]));
      for (const b of batch.buckets) {
        const current = at.get(b.bucketId);
        // Belt and braces: revisions stay dense even if ownership had a bug.
        if (current !== undefined && b.prevRevision !== null && current !== b.prevRevision) {
          throw new CommitFailed(
            `Bucket ${b.bucketId} is at revision ${current}, not ${b.prevRevision}; it was reloaded.`,
          );
        }
      }
      const missing = batch.buckets.filter((b) => !at.has(b.bucketId)).map((b) => b.bucketId);
      const present = batch.buckets.filter((b) => at.has(b.bucketId));
      if (present.length === 0) return { buckets: [], missing };
      const updates = counterUpdates(present, finals, before);
      const buckets = await moveCounters(client, updates, floors);
      return { buckets, missing };
    });
  }
}

/** Changes of keys whose first change in the batch is contended go after the predecessor commits. */
function splitContended(changes: readonly KvChange[]): { now: KvChange[]; later: KvChange[] } {
  const contended = new Map<string, boolean>();
  const now: KvChange[] = [];
  const later: KvChange[] = [];
  for (const c of changes) {
    const id = `${c.bucketId}\u0000${c.key}`;
    let late = contended.get(id);
    if (late === undefined) contended.set(id, (late = c.contended === true));
    (late ? later : now).push(c);
  }
  return { now, later };
}

function sumReplaced(a: Replaced, b: Replaced): Replaced {
  return { live: a.live + b.live, bytes: a.bytes + b.bytes, lost: Math.max(a.lost, b.lost) };
}
