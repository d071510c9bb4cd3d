import { and, asc, eq, gt, sql } from "drizzle-orm";
import {
  configFromJson,
  configJson,
  type Stream,
  type StreamCatalog,
  type StreamConfig,
  type StreamId,
  type TenantId,
} from "@strata/core";
import { type Database } from "../client.js";
import { leases } from "../schema/cluster/tables.js";
import { streams } from "../schema/streams/tables.js";
import { tickBatch } from "../tick-batch.js";

type Row = typeof streams.$inferSelect;

export class StreamCatalogPg implements StreamCatalog {
  /** Lookups by name of one turn of the event loop share one query (the ref cache's misses). */
  private readonly byName = tickBatch((keys: readonly { tenantId: TenantId; name: string }[]) =>
    this.getMany(keys),
  );

  constructor(private readonly db: Database) {}

  private async getMany(
    keys: readonly { tenantId: TenantId; name: string }[],
  ): Promise<(Stream | null)[]> {
    const tenants = sql.param(keys.map((k) => k.tenantId));
    const names = sql.param(keys.map((k) => k.name));
    const rows = await this.db
      .select()
      .from(streams)
      .where(
        sql`(${streams.tenantId}, ${streams.name}) in (select * from unnest(${tenants}::uuid[], ${names}::text[]))`,
      );
    const found = new Map(rows.map((r) => [`${r.tenantId}\n${r.name}`, r]));
    return keys.map((k) => {
      const row = found.get(`${k.tenantId}\n${k.name}`);
      return row ? toStream(row) : null;
    });
  }

  async create(tenantId: TenantId, name: string, config: StreamConfig): Promise<Stream | null> {
    const [row] = await this.db
      .insert(streams)
      .values({ tenantId, name, config: configJson(config) })
      .onConflictDoNothing()
      .returning();
    return row ? toStream(row) : null;
  }

  async updateConfig(
    tenantId: TenantId,
    name: string,
    config: StreamConfig,
  ): Promise<Stream | null> {
    const [row] = await this.db
      .update(streams)
      .set({ config: configJson(config), updatedAt: sql`now()` })
      .where(and(eq(streams.tenantId, tenantId), eq(streams.name, name)))
      .returning();
    return row ? toStream(row) : null;
  }

  get(tenantId: TenantId, name: string): Promise<Stream | null> {
    return this.byName({ tenantId, name });
  }

  async list(tenantId: TenantId, page: { after?: string; limit: number }): Promise<Stream[]> {
    const rows = await this.db
      .select()
      .from(streams)
      .where(
        and(eq(streams.tenantId, tenantId), page.after ? gt(streams.name, page.after) : undefined),
      )
      .orderBy(asc(streams.name))
      .limit(page.limit);
    return rows.map(toStream);
  }

  async delete(tenantId: TenantId, name: string): Promise<Stream | null> {
    const [row] = await this.db
      .delete(streams)
      .where(and(eq(streams.tenantId, tenantId), eq(streams.name, name)))
      .returning();
    return row ? toStream(row) : null;
  }

  async owner(streamId: StreamId): Promise<{ nodeId: string | null; epoch: number } | null> {
    const [row] = await this.db
      .select({ nodeId: leases.nodeId, epoch: leases.epoch })
      .from(leases)
      .where(eq(leases.resource, `stream:${streamId}`));
    return row ?? null;
  }
}

function toStream(row: Row): Stream {
  return {
    id: row.id as StreamId,
    tenantId: row.tenantId as TenantId,
    name: row.name,
    config: configFromJson(row.config),
    firstSeq: row.firstSeq,
    lastSeq: row.lastSeq,
    messages: row.messages,
    bytes: row.bytes,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
