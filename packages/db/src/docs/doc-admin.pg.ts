import type pg from "pg";

/** A document as operators see it, across tenants. */
export interface DocOverview {
  readonly id: number;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly documentId: string;
  readonly heads: string[];
  readonly changes: number;
  readonly changeBytes: number;
  readonly bytes: number;
  readonly snapshots: number;
  readonly snapshotBytes: number;
  /** Where the latest snapshot is: `hot` in Postgres, `cold` in the object store; null without one. */
  readonly snapshotTier: "hot" | "cold" | null;
  readonly owner: { nodeId: string | null; epoch: number } | null;
  readonly updatedAt: Date;
}

/** Operator queries over documents (not tenant-scoped: only the admin API uses this). */
export class DocAdminPg {
  constructor(private readonly pool: pg.Pool) {}

  async list(q: { tenant?: string; afterId?: number; limit: number }): Promise<DocOverview[]> {
    const { rows } = await this.pool.query<{
      id: string;
      tenant_id: string;
      tenant_name: string;
      document_id: string;
      heads: string[];
      changes: string;
      change_bytes: string;
      bytes: string;
      snapshots: string;
      snapshot_bytes: string | null;
      snapshot_cold: boolean | null;
      node_id: string | null;
      epoch: string | null;
      updated_at: Date;
    }>(
      `select d.id, d.tenant_id, t.name as tenant_name, d.document_id, d.heads, d.changes,
              d.change_bytes, d.bytes, s.n as snapshots, x.size as snapshot_bytes,
              x.object_key is not null as snapshot_cold, l.node_id, l.epoch, d.updated_at
         from docs d join tenants t on t.id = d.tenant_id
         left join lateral (select count(*) as n from doc_snapshots where doc_id = d.id) s on true
         left join lateral (select size, object_key from doc_snapshots where doc_id = d.id
                             order by id desc limit 1) x on true
         left join leases l on l.resource = 'doc:' || d.tenant_id || '/' || d.document_id
        where ($1::text is null or t.id::text = $1 or t.name = $1) and d.id > $2
        order by d.id limit $3`,
      [q.tenant ?? null, q.afterId ?? 0, q.limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      tenantId: r.tenant_id,
      tenantName: r.tenant_name,
      documentId: r.document_id,
      heads: r.heads,
      changes: Number(r.changes),
      changeBytes: Number(r.change_bytes),
      bytes: Number(r.bytes),
      snapshots: Number(r.snapshots),
      snapshotBytes: Number(r.snapshot_bytes ?? 0),
      snapshotTier: r.snapshot_cold === null ? null : r.snapshot_cold ? "cold" : "hot",
      owner: r.epoch === null ? null : { nodeId: r.node_id, epoch: Number(r.epoch) },
      updatedAt: r.updated_at,
    }));
  }
}
