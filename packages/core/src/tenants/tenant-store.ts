import { type ApiKey } from "./api-key.js";
import { type KeyAccess } from "./connection-access.js";
import { type TenantQuotas } from "./quotas.js";
import { type Scope } from "./scopes.js";
import { type KeyId, type Tenant, type TenantId, type TenantStatus } from "./tenant.js";

/** An operator action, written in the same transaction as the change it describes. */
export interface AuditEntry {
  readonly actor: string;
  readonly action: string;
  readonly tenantId: TenantId | null;
  readonly target: string;
  readonly details: Record<string, unknown>;
}

export interface NewApiKey {
  readonly tenantId: TenantId;
  readonly name: string;
  readonly prefix: string;
  readonly secretHash: string;
  readonly scopes: readonly Scope[];
  readonly patterns: readonly string[];
  readonly expiresAt: Date | null;
}

/** What authentication needs in one lookup: the key, its hash and its tenant. */
export interface KeyCredentials {
  readonly key: ApiKey;
  readonly secretHash: string;
  readonly tenant: Tenant;
}

/**
 * Tenants and their keys. Every mutation takes the audit entry and writes it
 * atomically with the change, so the audit log never misses or invents one.
 * Methods scoped to a tenant answer null/false when the row belongs to
 * another tenant, exactly as when it does not exist.
 */
export interface TenantStore {
  /** Throws Conflict when the name is taken. */
  createTenant(name: string, audit: AuditEntry): Promise<Tenant>;
  listTenants(page: { after?: string; limit: number }): Promise<Tenant[]>;
  getTenant(id: TenantId): Promise<Tenant | null>;
  findTenantByName(name: string): Promise<Tenant | null>;
  countTenants(): Promise<number>;
  updateTenant(
    id: TenantId,
    patch: { name?: string; status?: TenantStatus },
    audit: AuditEntry,
  ): Promise<Tenant | null>;
  /** Deletes the tenant and everything it owns. */
  deleteTenant(id: TenantId, audit: AuditEntry): Promise<boolean>;

  createKey(key: NewApiKey, audit: AuditEntry): Promise<ApiKey>;
  listKeys(tenantId: TenantId): Promise<ApiKey[]>;
  revokeKey(tenantId: TenantId, keyId: KeyId, audit: AuditEntry): Promise<ApiKey | null>;
  findKeyByPrefix(prefix: string): Promise<KeyCredentials | null>;
  /**
   * Revocation, expiry and tenant status of many keys in one read (the
   * sweep over a node's open connections); keys that no longer exist are
   * left out.
   */
  keyAccess(keyIds: readonly KeyId[]): Promise<KeyAccess[]>;

  /** Null when the tenant does not exist. */
  getQuotas(id: TenantId): Promise<TenantQuotas | null>;
  /** Replaces the quotas; false when the tenant does not exist. */
  setQuotas(id: TenantId, quotas: TenantQuotas, audit: AuditEntry): Promise<boolean>;
  /** Stream (hot and tiered), KV and document bytes; an aggregate, not for every request. */
  storedBytes(id: TenantId): Promise<number>;
}

/** Mints and checks key secrets; randomness and hashing stay outside the core. */
export interface KeyMinter {
  mint(): { prefix: string; secret: string };
  hash(secret: string): string;
  /** Constant-time comparison of `secret` with a stored hash. */
  verify(secret: string, secretHash: string): boolean;
}
