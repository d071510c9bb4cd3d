import { and, asc, eq, gt, sql } from "drizzle-orm";
import {
  type Bucket,
  type BucketId,
  type KvCatalog,
  type KvConfig,
  kvConfigFromJson,
  kvConfigJson,
  type TenantId,
} from "@strata/core";
import { type Database } from "../client.js";
import { leases } from "../schema/cluster/tables.js";
import { kvBuckets } from "../schema/kv/tables.js";

type Row = typeof kvBuckets.$inferSelect;

export class KvCatalogPg implements KvCatalog {
  private readonly lookups = new Map<string, Promise<Bucket | null>>();

  constructor(private readonly db: Database) {}

  async create(tenantId: TenantId, name: string, config: KvConfig): Promise<Bucket | null> {
    const [row] = await this.db
      .insert(kvBuckets)
      .values({ tenantId, name, config: kvConfigJson(config) })
      .onConflictDoNothing()
      .returning();
    return row ? toBucket(row) : null;
  }

  /** A `crdt` bucket whose keys live in the Automerge document `documentId`; null when the name is taken. */
  async createCrdt(
    tenantId: TenantId,
    name: string,
    config: KvConfig,
    documentId: string,
  ): Promise<Bucket | null> {
    const [row] = await this.db
      .insert(kvBuckets)
      .values({ tenantId, name, mode: "crdt", documentId, config: kvConfigJson(config) })
      .onConflictDoNothing()
      .returning();
    return row ? toBucket(row) : null;
  }

  async updateConfig(tenantId: TenantId, name: string, config: KvConfig): Promise<Bucket | null> {
    const row = await this.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(kvBuckets)
        .set({ config: kvConfigJson(config), updatedAt: sql`now()` })
        .where(and(eq(kvBuckets.tenantId, tenantId), eq(kvBuckets.name, name)))
        .returning();
      // Less history: older revisions beyond it go now, not whenever each key is written next.
      if (updated) await tx.execute(pruneToHistory(updated.id, config.history));
      return updated;
    });
    // Lookups that started before this change must not be shared any more.
    this.lookups.delete(`${tenantId}\u0000${name}`);
    return row ? toBucket(row) : null;
  }

  /**
   * Concurrent lookups of one bucket share a query (the hot paths' caches
   * expire for every request in flight at once). A shared query may have
   * started before the caller's request — before the bucket was created —
   * so a joined miss looks again; a write here (config, delete) stops the
   * sharing of lookups that began before it.
   */
  get(tenantId: TenantId, name: string): Promise<Bucket | null> {
    const id = `${tenantId}\u0000${name}`;
    const running = this.lookups.get(id);
    if (running) return running.then((b) => b ?? this.lookup(tenantId, name));
    const lookup = this.lookup(tenantId, name).finally(() => this.lookups.delete(id));
    this.lookups.set(id, lookup);
    return lookup;
  }

  private async lookup(tenantId: TenantId, name: string): Promise<Bucket | null> {
    const [row] = await this.db
      .select()
      .from(kvBuckets)
      .where(and(eq(kvBuckets.tenantId, tenantId), eq(kvBuckets.name, name)));
    return row ? toBucket(row) : null;
  }

  async list(tenantId: TenantId, page: { after?: string; limit: number }): Promise<Bucket[]> {
    const rows = await this.db
      .select()
      .from(kvBuckets)
      .where(
        and(
          eq(kvBuckets.tenantId, tenantId),
          page.after ? gt(kvBuckets.name, page.after) : undefined,
        ),
      )
      .orderBy(asc(kvBuckets.name))
      .limit(page.limit);
    return rows.map(toBucket);
  }

  async delete(tenantId: TenantId, name: string): Promise<Bucket | null> {
    const [row] = await this.db
      .delete(kvBuckets)
      .where(and(eq(kvBuckets.tenantId, tenantId), eq(kvBuckets.name, name)))
      .returning();
    // Lookups that started before this change must not be shared any more.
    this.lookups.delete(`${tenantId}\u0000${name}`);
    return row ? toBucket(row) : null;
  }

  async owner(bucketId: BucketId): Promise<{ nodeId: string | null; epoch: number } | null> {
    const [row] = await this.db
      .select({ nodeId: leases.nodeId, epoch: leases.epoch })
      .from(leases)
      .where(eq(leases.resource, `bucket:${bucketId}`));
    return row ?? null;
  }

  /** Which node owns a placement resource (a crdt bucket's `doc:…`), if any. */
  async resourceOwner(resource: string): Promise<{ nodeId: string | null; epoch: number } | null> {
    const [row] = await this.db
      .select({ nodeId: leases.nodeId, epoch: leases.epoch })
      .from(leases)
      .where(eq(leases.resource, resource));
    return row ?? null;
  }
}

function toBucket(row: Row): Bucket {
  return {
    id: row.id as BucketId,
    tenantId: row.tenantId as TenantId,
    name: row.name,
    mode: row.mode,
    // Only crdt buckets carry it (see CrdtBucket in core).
    ...(row.documentId !== null ? { documentId: row.documentId } : {}),
    config: kvConfigFromJson(row.config),
    lastRevision: row.lastRevision,
    compactedRevision: row.compactedRevision,
    keys: row.keys,
    bytes: row.bytes,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Deletes each key's older revisions beyond `history - 1` (its newest lives
 * in kv_entries) and raises the compaction floor past them.
 */
function pruneToHistory(bucketId: number, history: number) {
  return sql`
    with cut as (
      select key, revision from (
        select key, revision, row_number() over (partition by key order by revision desc) as n
          from kv_events where bucket_id = ${bucketId}) r
       where n > ${history - 1}),
    del as (delete from kv_events e using cut
             where e.bucket_id = ${bucketId} and e.key = cut.key and e.revision = cut.revision
         returning e.revision)
    update kv_buckets set compacted_revision = greatest(compacted_revision, d.top)
      from (select max(revision) as top from del) d
     where id = ${bucketId} and d.top is not null`;
}
