import { type ApiKey, type Tenant } from "@strata/core";

/** Wire shapes (snake_case) of tenants and keys. */
export function tenantJson(t: Tenant) {
  return {
    id: t.id,
    name: t.name,
    status: t.status,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

export function keyJson(k: ApiKey) {
  return {
    id: k.id,
    tenant_id: k.tenantId,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    patterns: k.patterns,
    expires_at: k.expiresAt?.toISOString() ?? null,
    revoked_at: k.revokedAt?.toISOString() ?? null,
    created_at: k.createdAt.toISOString(),
  };
}
