import { and, asc, eq, gt, sql } from "drizzle-orm";
import {
  type ApiKey,
  type AuditEntry,
  Conflict,
  type KeyAccess,
  type KeyCredentials,
  type KeyId,
  type NewApiKey,
  type Tenant,
  type TenantId,
  type TenantQuotas,
  type TenantStatus,
  type TenantStore,
} from "@strata/core";
import { type Database } from "../client.js";
import { auditLog } from "../schema/ops/tables.js";
import { apiKeys, tenants } from "../schema/tenants/tables.js";

type TenantRow = typeof tenants.$inferSelect;
type KeyRow = typeof apiKeys.$inferSelect;
type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

const UNIQUE_VIOLATION = "23505";

export class TenantRepositoryPg implements TenantStore {
  constructor(private readonly db: Database) {}

  async createTenant(name: string, audit: AuditEntry): Promise<Tenant> {
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx.insert(tenants).values({ name }).returning();
        await writeAudit(tx, { ...audit, tenantId: row!.id as TenantId, target: row!.id });
        return toTenant(row!);
      });
    } catch (err) {
      if (pgCode(err) === UNIQUE_VIOLATION) {
        throw new Conflict(`A tenant named '${name}' already exists.`);
      }
      throw err;
    }
  }

  async listTenants(page: { after?: string; limit: number }): Promise<Tenant[]> {
    const rows = await this.db
      .select()
      .from(tenants)
      .where(page.after ? gt(tenants.name, page.after) : undefined)
      .orderBy(asc(tenants.name))
      .limit(page.limit);
    return rows.map(toTenant);
  }

  async getTenant(id: TenantId): Promise<Tenant | null> {
    const [row] = await this.db.select().from(tenants).where(eq(tenants.id, id));
    return row ? toTenant(row) : null;
  }

  async findTenantByName(name: string): Promise<Tenant | null> {
    const [row] = await this.db.select().from(tenants).where(eq(tenants.name, name));
    return row ? toTenant(row) : null;
  }

  async countTenants(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(tenants);
    return row?.n ?? 0;
  }

  async updateTenant(
    id: TenantId,
    patch: { name?: string; status?: TenantStatus },
    audit: AuditEntry,
  ): Promise<Tenant | null> {
    try {
      return await this.db.transaction(async (tx) => {
        const [row] = await tx
          .update(tenants)
          .set({ ...patch, updatedAt: sql`now()` })
          .where(eq(tenants.id, id))
          .returning();
        if (!row) return null;
        await writeAudit(tx, audit);
        return toTenant(row);
      });
    } catch (err) {
      if (pgCode(err) === UNIQUE_VIOLATION) {
        throw new Conflict(`A tenant named '${patch.name}' already exists.`);
      }
      throw err;
    }
  }

  async deleteTenant(id: TenantId, audit: AuditEntry): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const deleted = await tx
        .delete(tenants)
        .where(eq(tenants.id, id))
        .returning({ id: tenants.id });
      if (deleted.length === 0) return false;
      await writeAudit(tx, audit);
      return true;
    });
  }

  async createKey(key: NewApiKey, audit: AuditEntry): Promise<ApiKey> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(apiKeys)
        .values({
          tenantId: key.tenantId,
          name: key.name,
          prefix: key.prefix,
          secretHash: key.secretHash,
          scopes: [...key.scopes],
          patterns: [...key.patterns],
          expiresAt: key.expiresAt,
        })
        .returning();
      await writeAudit(tx, { ...audit, target: row!.id });
      return toKey(row!);
    });
  }

  async listKeys(tenantId: TenantId): Promise<ApiKey[]> {
    const rows = await this.db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.tenantId, tenantId))
      .orderBy(asc(apiKeys.createdAt));
    return rows.map(toKey);
  }

  async revokeKey(tenantId: TenantId, keyId: KeyId, audit: AuditEntry): Promise<ApiKey | null> {
    return this.db.transaction(async (tx) => {
      const scoped = and(eq(apiKeys.id, keyId), eq(apiKeys.tenantId, tenantId));
      // Revoking twice keeps the first revocation time.
      const [row] = await tx
        .update(apiKeys)
        .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
        .where(scoped)
        .returning();
      if (!row) return null;
      await writeAudit(tx, audit);
      return toKey(row);
    });
  }

  async findKeyByPrefix(prefix: string): Promise<KeyCredentials | null> {
    const [row] = await this.db
      .select({ key: apiKeys, tenant: tenants })
      .from(apiKeys)
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .where(eq(apiKeys.prefix, prefix));
    if (!row) return null;
    return { key: toKey(row.key), secretHash: row.key.secretHash, tenant: toTenant(row.tenant) };
  }

  async keyAccess(keyIds: readonly KeyId[]): Promise<KeyAccess[]> {
    if (keyIds.length === 0) return [];
    const rows = await this.db
      .select({
        keyId: apiKeys.id,
        tenantId: apiKeys.tenantId,
        revokedAt: apiKeys.revokedAt,
        expiresAt: apiKeys.expiresAt,
        tenantStatus: tenants.status,
      })
      .from(apiKeys)
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      // One array parameter, however many keys (an IN list would hit the 65,535-parameter limit).
      .where(sql`${apiKeys.id} = any(${sql.param([...keyIds])}::uuid[])`);
    return rows.map((r) => ({
      keyId: r.keyId as KeyId,
      tenantId: r.tenantId as TenantId,
      revoked: r.revokedAt !== null,
      expiresAt: r.expiresAt,
      tenantStatus: r.tenantStatus,
    }));
  }

  async getQuotas(id: TenantId): Promise<TenantQuotas | null> {
    const [row] = await this.db
      .select({ quotas: tenants.quotas })
      .from(tenants)
      .where(eq(tenants.id, id));
    return row ? (row.quotas as TenantQuotas) : null;
  }

  async setQuotas(id: TenantId, quotas: TenantQuotas, audit: AuditEntry): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const updated = await tx
        .update(tenants)
        .set({ quotas: { ...quotas }, updatedAt: sql`now()` })
        .where(eq(tenants.id, id))
        .returning({ id: tenants.id });
      if (updated.length === 0) return false;
      await writeAudit(tx, audit);
      return true;
    });
  }

  /**
   * Hot stream values are summed from `stream_messages` (an index range per
   * stream, since streams keep no byte counter); tiered segments, KV buckets
   * and documents keep counters. Callers cache the answer.
   */
  async storedBytes(id: TenantId): Promise<number> {
    const result = await this.db.execute<{ bytes: string | null }>(sql`
      select (select coalesce(sum(m.value_size), 0) from stream_messages m
                join streams s on s.id = m.stream_id where s.tenant_id = ${id})
           + (select coalesce(sum(g.value_bytes + g.external_bytes), 0) from stream_segments g
                join streams s on s.id = g.stream_id where s.tenant_id = ${id})
           + (select coalesce(sum(bytes), 0) from kv_buckets where tenant_id = ${id})
           + (select coalesce(sum(bytes), 0) from docs where tenant_id = ${id}) as bytes`);
    return Number(result.rows[0]?.bytes ?? 0);
  }
}

async function writeAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    actor: entry.actor,
    action: entry.action,
    tenantId: entry.tenantId,
    target: entry.target,
    details: entry.details,
  });
}

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id as TenantId,
    name: row.name,
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toKey(row: KeyRow): ApiKey {
  return {
    id: row.id as KeyId,
    tenantId: row.tenantId as TenantId,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    patterns: row.patterns,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    createdAt: row.createdAt,
  };
}

function pgCode(err: unknown): string | undefined {
  // drizzle wraps driver errors; the pg error sits on `cause`.
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code;
}
