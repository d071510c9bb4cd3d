import {
  type DocContent,
  type DocInfo,
  type DocRowId,
  type DocumentId,
  type StoredChange,
  SegmentUnreadable,
  type TenantId,
} from "@strata/core";
import type pg from "pg";
import { withClient } from "../client.js";
import { type TieredSnapshots } from "../tiering/tiered-snapshots.js";

type Queryable = Pick<pg.PoolClient, "query">;

export const DOC_COLUMNS = `id, tenant_id, document_id, heads, changes, change_bytes, bytes, created_at, updated_at`;

export interface DocRow {
  id: string;
  tenant_id: string;
  document_id: string;
  heads: string[];
  changes: string;
  change_bytes: string;
  bytes: string;
  created_at: Date;
  updated_at: Date;
}

export function toDocInfo(r: DocRow): DocInfo {
  return {
    id: Number(r.id) as DocRowId,
    tenantId: r.tenant_id as TenantId,
    documentId: r.document_id as DocumentId,
    heads: [...r.heads].sort(),
    changes: Number(r.changes),
    changeBytes: Number(r.change_bytes),
    bytes: Number(r.bytes),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A snapshot row: its bytes, or (tiered) the object that holds them. */
interface SnapshotRow {
  id: string;
  bytes: Buffer | null;
  object_key: string | null;
}

/** Reads when compaction keeps replacing a tiered snapshot under the reader. */
const LOAD_ATTEMPTS = 3;

/**
 * The document row, its latest snapshot and its change rows, read in one
 * REPEATABLE READ transaction: a compaction committing in between cannot
 * make the reader see the new snapshot's folded rows gone but the old
 * snapshot still latest (or the reverse). A tiered snapshot is fetched from
 * the object store after that transaction (no connection held during the
 * fetch). Its object goes only after its row is gone, so a missing object
 * whose row is also gone means compaction replaced it meanwhile: read again.
 */
export async function loadContent(
  pool: pg.Pool,
  snapshots: TieredSnapshots,
  where: { sql: string; params: unknown[] },
): Promise<DocContent | null> {
  for (let attempt = 1; ; attempt++) {
    const stored = await readStored(pool, where);
    if (!stored) return null;
    const { info, snapshot: s, changes } = stored;
    if (!s) return { info, snapshot: null, changes };
    if (s.bytes !== null) return { info, snapshot: { id: Number(s.id), bytes: s.bytes }, changes };
    const objectKey = s.object_key ?? "(none)";
    try {
      const bytes = await snapshots.fetch(info, objectKey);
      return { info, snapshot: { id: Number(s.id), bytes }, changes };
    } catch (err) {
      if (!(err instanceof SegmentUnreadable)) throw err;
      if (attempt < LOAD_ATTEMPTS && !(await stillStored(pool, info.id, s))) continue;
      throw await snapshots.unreadable({
        tenantId: info.tenantId,
        documentId: info.documentId,
        objectKey,
        reason: err.reason,
      });
    }
  }
}

function readStored(
  pool: pg.Pool,
  where: { sql: string; params: unknown[] },
): Promise<{ info: DocInfo; snapshot: SnapshotRow | null; changes: StoredChange[] } | null> {
  return withClient(pool, async (client) => {
    await client.query("begin isolation level repeatable read read only");
    try {
      const stored = await readRows(client, where);
      await client.query("commit");
      return stored;
    } catch (err) {
      await client.query("rollback").catch(() => {});
      throw err;
    }
  });
}

async function readRows(client: Queryable, where: { sql: string; params: unknown[] }) {
  const { rows } = await client.query<DocRow>(
    `select ${DOC_COLUMNS} from docs where ${where.sql}`,
    where.params,
  );
  const row = rows[0];
  if (!row) return null;
  const snap = await client.query<SnapshotRow>(
    `select id, bytes, object_key from doc_snapshots where doc_id = $1 order by id desc limit 1`,
    [row.id],
  );
  const changes = await client.query<{
    actor: string;
    seq: number;
    hash: string;
    deps: string[];
    bytes: Buffer;
  }>(
    // Insertion order is causal order for one owner; Automerge queues any that are not.
    `select actor, seq, hash, deps, bytes from doc_changes where doc_id = $1 order by created_at, actor, seq`,
    [row.id],
  );
  return {
    info: toDocInfo(row),
    snapshot: snap.rows[0] ?? null,
    changes: changes.rows.map((c): StoredChange => ({
      actor: c.actor,
      seq: c.seq,
      hash: c.hash,
      deps: c.deps,
      bytes: c.bytes,
    })),
  };
}

/** Whether the snapshot row still points at the object (then a missing object is corruption). */
async function stillStored(pool: pg.Pool, docId: DocRowId, s: SnapshotRow): Promise<boolean> {
  const { rowCount } = await pool.query(
    "select 1 from doc_snapshots where doc_id = $1 and id = $2 and object_key = $3",
    [docId, s.id, s.object_key],
  );
  return (rowCount ?? 0) > 0;
}

export function toBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
