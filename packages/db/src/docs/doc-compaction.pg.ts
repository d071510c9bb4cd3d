import { type DocCompactionStore, type DocContent, type DocRowId, type Heads } from "@strata/core";
import type pg from "pg";
import { inTransaction } from "../client.js";
import { type TieredSnapshots } from "../tiering/tiered-snapshots.js";
import { loadContent, toBuffer } from "./doc-rows.pg.js";

type Client = pg.PoolClient;

/**
 * Compaction's storage steps, each its own transaction that first locks the
 * document row (the owner's commits lock it too, so counters never race)
 * and ends by recounting the row from what is stored. The base snapshot may
 * be tiered: it is loaded from the object store, and its object is deleted
 * once its row is gone.
 */
export class DocCompactionPg implements DocCompactionStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly snapshots: TieredSnapshots,
  ) {}

  loadById(docId: DocRowId): Promise<DocContent | null> {
    return loadContent(this.pool, this.snapshots, { sql: "id = $1", params: [docId] });
  }

  insertSnapshot(
    docId: DocRowId,
    baseSnapshotId: number | null,
    snapshot: { heads: Heads; bytes: Uint8Array },
  ): Promise<number | null> {
    return inTransaction(this.pool, async (client) => {
      if (!(await lockDoc(client, docId))) return null;
      const latest = await client.query<{ id: string }>(
        "select id from doc_snapshots where doc_id = $1 order by id desc limit 1",
        [docId],
      );
      const current = latest.rows[0] ? Number(latest.rows[0].id) : null;
      if (current !== baseSnapshotId) return null;
      const { rows } = await client.query<{ id: string }>(
        `insert into doc_snapshots (doc_id, heads, bytes, size) values ($1, $2, $3, $4) returning id`,
        [docId, [...snapshot.heads], toBuffer(snapshot.bytes), snapshot.bytes.byteLength],
      );
      await recount(client, docId);
      return Number(rows[0]!.id);
    });
  }

  deleteChanges(docId: DocRowId, hashes: readonly string[]): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      if (!(await lockDoc(client, docId))) return 0;
      const { rowCount } = await client.query(
        "delete from doc_changes where doc_id = $1 and hash = any($2::text[])",
        [docId, [...hashes]],
      );
      await recount(client, docId);
      return rowCount ?? 0;
    });
  }

  async deleteSnapshotsBefore(docId: DocRowId, snapshotId: number): Promise<number> {
    const deleted = await inTransaction(this.pool, async (client) => {
      if (!(await lockDoc(client, docId))) return [];
      const { rows } = await client.query<{ object_key: string | null }>(
        "delete from doc_snapshots where doc_id = $1 and id < $2 returning object_key",
        [docId, snapshotId],
      );
      await recount(client, docId);
      return rows;
    });
    // Only after the rows are gone (a loader that still read one retries on a missing object).
    // A crash or store error here leaves orphans for `sweepDocOrphans`.
    for (const { object_key } of deleted) {
      if (object_key !== null) await this.snapshots.store.delete(object_key).catch(() => {});
    }
    return deleted.length;
  }

  async idleWithChanges(idleMs: number, limit: number): Promise<DocRowId[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `select id from docs where changes > 0 and updated_at < now() - make_interval(secs => $1)
        order by updated_at limit $2`,
      [idleMs / 1000, limit],
    );
    return rows.map((r) => Number(r.id) as DocRowId);
  }
}

async function lockDoc(client: Client, docId: DocRowId): Promise<boolean> {
  const { rowCount } = await client.query("select 1 from docs where id = $1 for update", [docId]);
  return (rowCount ?? 0) > 0;
}

/** Counters from what is stored; updated_at stays (it tracks writes, which compaction is not). */
async function recount(client: Client, docId: DocRowId): Promise<void> {
  await client.query(
    `with c as (select count(*) as n, coalesce(sum(octet_length(bytes)), 0) as b
                  from doc_changes where doc_id = $1),
          s as (select coalesce((select size from doc_snapshots where doc_id = $1
                                  order by id desc limit 1), 0) as size)
     update docs set changes = c.n, change_bytes = c.b, bytes = c.b + s.size from c, s where id = $1`,
    [docId],
  );
}
