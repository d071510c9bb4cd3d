import {
  ConflictingChange,
  type DocCommit,
  type DocContent,
  type DocInfo,
  type DocLog,
  DocReloaded,
  type DocRef,
  NotOwner,
  type StoredChange,
} from "@strata/core";
import type pg from "pg";
import { fencedTransaction } from "../fenced-tx.js";
import { type TieredSnapshots } from "../tiering/tiered-snapshots.js";
import { DOC_COLUMNS, type DocRow, loadContent, toBuffer, toDocInfo } from "./doc-rows.pg.js";

type Client = pg.PoolClient;

/** Parameters per change row; Postgres takes at most 65,535 per statement. */
const ROWS_PER_INSERT = 5000;

/**
 * Document storage for the owner. A commit is one fenced transaction: prove
 * the node lease and that the placement row is still this node's, create
 * the document row if new, insert the changes (ON CONFLICT DO NOTHING: a
 * change stored already is skipped), and move the row's heads and counters.
 * Loads fetch a tiered snapshot from the object store (`snapshots`).
 */
export class DocLogPg implements DocLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly snapshots: TieredSnapshots,
  ) {}

  load(ref: DocRef): Promise<DocContent | null> {
    return loadContent(this.pool, this.snapshots, {
      sql: "tenant_id = $1 and document_id = $2",
      params: [ref.tenantId, ref.documentId],
    });
  }

  commit(c: DocCommit): Promise<DocInfo> {
    return fencedTransaction(this.pool, c.nodeId, async (client) => {
      const lease = await client.query(
        "select 1 from leases where resource = $1 and node_id = $2 for share",
        [c.resource, c.nodeId],
      );
      if (lease.rowCount === 0) throw new NotOwner(c.resource);
      const docId = c.docId ?? (await this.createRow(client, c.ref));
      const locked = await client.query<{ id: string }>(
        "select id from docs where id = $1 and tenant_id = $2 and document_id = $3 for update",
        [docId, c.ref.tenantId, c.ref.documentId],
      );
      if (locked.rowCount === 0) throw new DocReloaded(c.ref.documentId);
      let added = 0;
      let addedBytes = 0;
      for (let i = 0; i < c.changes.length; i += ROWS_PER_INSERT) {
        const part = c.changes.slice(i, i + ROWS_PER_INSERT);
        const inserted = await insertChanges(client, docId, part);
        if (inserted.size < part.length) await checkSkipped(client, docId, part, inserted);
        for (const ch of part) {
          if (!inserted.has(ch.hash)) continue;
          added++;
          addedBytes += ch.bytes.byteLength;
        }
      }
      const { rows } = await client.query<DocRow>(
        `update docs set heads = $2, changes = changes + $3, change_bytes = change_bytes + $4,
                bytes = bytes + $4, updated_at = now()
          where id = $1 returning ${DOC_COLUMNS}`,
        [docId, c.heads, added, addedBytes],
      );
      return toDocInfo(rows[0]!);
    });
  }

  /** A new document's row; if it exists already (created meanwhile), the caller's view is stale. */
  private async createRow(client: Client, ref: DocRef): Promise<number> {
    const { rows } = await client.query<{ id: string }>(
      `insert into docs (tenant_id, document_id) values ($1, $2)
       on conflict (tenant_id, document_id) do nothing returning id`,
      [ref.tenantId, ref.documentId],
    );
    if (!rows[0]) throw new DocReloaded(ref.documentId);
    return Number(rows[0].id);
  }
}

async function insertChanges(
  client: Client,
  docId: number,
  changes: readonly StoredChange[],
): Promise<Set<string>> {
  if (changes.length === 0) return new Set();
  const params: unknown[] = [docId];
  const values = changes.map((ch) => {
    const at = params.length;
    params.push(ch.actor, ch.seq, ch.hash, ch.deps, toBuffer(ch.bytes));
    return `($1, $${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}::text[], $${at + 5})`;
  });
  const { rows } = await client.query<{ hash: string }>(
    `insert into doc_changes (doc_id, actor, seq, hash, deps, bytes) values ${values.join(", ")}
     on conflict do nothing returning hash`,
    params,
  );
  return new Set(rows.map((r) => r.hash));
}

/** Skipped rows must be the same changes stored before; a different change at a stored (actor, seq) is refused. */
async function checkSkipped(
  client: Client,
  docId: number,
  changes: readonly StoredChange[],
  inserted: ReadonlySet<string>,
): Promise<void> {
  const skipped = changes.filter((ch) => !inserted.has(ch.hash));
  const { rows } = await client.query<{ actor: string; seq: number; hash: string }>(
    `select actor, seq, hash from doc_changes
      where doc_id = $1 and (actor, seq) in (select * from unnest($2::text[], $3::int[]))`,
    [docId, skipped.map((c) => c.actor), skipped.map((c) => c.seq)],
  );
  const stored = new Map(rows.map((r) => [`${r.actor}:${r.seq}`, r.hash]));
  for (const ch of skipped) {
    const hash = stored.get(`${ch.actor}:${ch.seq}`);
    if (hash !== undefined && hash !== ch.hash) throw new ConflictingChange(ch.actor, ch.seq);
  }
}
