import {
  type DocCatalog,
  type DocInfo,
  type DocRef,
  type DocSyncStates,
  type TenantId,
} from "@strata/core";
import type pg from "pg";
import { DOC_COLUMNS, type DocRow, toBuffer, toDocInfo } from "./doc-rows.pg.js";

/** Tenant-scoped document rows: every query names the tenant, so another tenant's document is absent. */
export class DocCatalogPg implements DocCatalog, DocSyncStates {
  constructor(private readonly pool: pg.Pool) {}

  async get(ref: DocRef): Promise<DocInfo | null> {
    const { rows } = await this.pool.query<DocRow>(
      `select ${DOC_COLUMNS} from docs where tenant_id = $1 and document_id = $2`,
      [ref.tenantId, ref.documentId],
    );
    return rows[0] ? toDocInfo(rows[0]) : null;
  }

  async list(tenantId: TenantId, page: { after?: string; limit: number }): Promise<DocInfo[]> {
    const { rows } = await this.pool.query<DocRow>(
      `select ${DOC_COLUMNS} from docs
        where tenant_id = $1 and ($2::text is null or document_id > $2)
        order by document_id limit $3`,
      [tenantId, page.after ?? null, page.limit],
    );
    return rows.map(toDocInfo);
  }

  /** Deletes the document with its changes, snapshots and sync states (cascade). */
  async delete(ref: DocRef): Promise<DocInfo | null> {
    const { rows } = await this.pool.query<DocRow>(
      `delete from docs where tenant_id = $1 and document_id = $2 returning ${DOC_COLUMNS}`,
      [ref.tenantId, ref.documentId],
    );
    return rows[0] ? toDocInfo(rows[0]) : null;
  }

  /** Which node owns the document now (its placement row), if any. */
  async owner(resource: string): Promise<{ nodeId: string | null; epoch: number } | null> {
    const { rows } = await this.pool.query<{ node_id: string | null; epoch: string }>(
      "select node_id, epoch from leases where resource = $1",
      [resource],
    );
    return rows[0] ? { nodeId: rows[0].node_id, epoch: Number(rows[0].epoch) } : null;
  }

  async load(ref: DocRef, peerStorageId: string): Promise<Uint8Array | null> {
    const { rows } = await this.pool.query<{ state: Buffer }>(
      `select s.state from doc_sync_states s join docs d on d.id = s.doc_id
        where d.tenant_id = $1 and d.document_id = $2 and s.peer_storage_id = $3`,
      [ref.tenantId, ref.documentId, peerStorageId],
    );
    return rows[0]?.state ?? null;
  }

  async save(ref: DocRef, peerStorageId: string, state: Uint8Array): Promise<void> {
    await this.pool.query(
      `insert into doc_sync_states (doc_id, peer_storage_id, state)
       select id, $3, $4 from docs where tenant_id = $1 and document_id = $2
       on conflict (doc_id, peer_storage_id) do update set state = excluded.state, updated_at = now()`,
      [ref.tenantId, ref.documentId, peerStorageId, toBuffer(state)],
    );
  }
}
