import { type Clock } from "../common/clock.js";
import { NotFound, ValidationFailed } from "../errors.js";
import { type ApiKey, formatApiKey } from "./api-key.js";
import { type TenantQuotas } from "./quotas.js";
import { type CreateKeyBody, type PatchTenantBody } from "./tenant.schemas.js";
import { type KeyId, type Tenant, type TenantId } from "./tenant.js";
import { type KeyMinter, type TenantStore } from "./tenant-store.js";

/** The operator's use cases for tenants and keys. `actor` names who acts, for the audit log. */
export class TenantAdmin {
  constructor(
    private readonly store: TenantStore,
    private readonly minter: KeyMinter,
    private readonly clock: Clock,
  ) {}

  createTenant(actor: string, name: string): Promise<Tenant> {
    return this.store.createTenant(name, {
      actor,
      action: "tenant.create",
      tenantId: null,
      target: name,
      details: { name },
    });
  }

  listTenants(page: { after?: string; limit: number }): Promise<Tenant[]> {
    return this.store.listTenants(page);
  }

  findTenantByName(name: string): Promise<Tenant | null> {
    return this.store.findTenantByName(name);
  }

  countTenants(): Promise<number> {
    return this.store.countTenants();
  }

  async getTenant(id: TenantId): Promise<Tenant> {
    return orNotFound(await this.store.getTenant(id), "tenant", id);
  }

  async updateTenant(actor: string, id: TenantId, patch: PatchTenantBody): Promise<Tenant> {
    const updated = await this.store.updateTenant(id, patch, {
      actor,
      action: "tenant.update",
      tenantId: id,
      target: id,
      details: { ...patch },
    });
    return orNotFound(updated, "tenant", id);
  }

  async deleteTenant(actor: string, id: TenantId): Promise<void> {
    const deleted = await this.store.deleteTenant(id, {
      actor,
      action: "tenant.delete",
      tenantId: id,
      target: id,
      details: {},
    });
    if (!deleted) throw new NotFound("tenant", id);
  }

  async getQuotas(id: TenantId): Promise<TenantQuotas> {
    return orNotFound(await this.store.getQuotas(id), "tenant", id);
  }

  /** Replaces the tenant's quotas (absent = unlimited). */
  async setQuotas(actor: string, id: TenantId, quotas: TenantQuotas): Promise<TenantQuotas> {
    const found = await this.store.setQuotas(id, quotas, {
      actor,
      action: "tenant.quotas",
      tenantId: id,
      target: id,
      details: { ...quotas },
    });
    if (!found) throw new NotFound("tenant", id);
    return quotas;
  }

  storedBytes(id: TenantId): Promise<number> {
    return this.store.storedBytes(id);
  }

  /** Creates a key and returns its secret: the only time anyone sees it. */
  async createKey(
    actor: string,
    tenantId: TenantId,
    body: CreateKeyBody,
  ): Promise<{ key: ApiKey; secret: string }> {
    await this.getTenant(tenantId);
    const expiresAt = body.expires_at ? new Date(body.expires_at) : null;
    if (expiresAt && expiresAt <= this.clock.now()) {
      throw new ValidationFailed([{ path: "expires_at", message: "must be in the future" }]);
    }
    const { prefix, secret } = this.minter.mint();
    const key = await this.store.createKey(
      {
        tenantId,
        name: body.name,
        prefix,
        secretHash: this.minter.hash(secret),
        scopes: [...new Set(body.scopes)],
        patterns: [...new Set(body.patterns ?? [])],
        expiresAt,
      },
      {
        actor,
        action: "key.create",
        tenantId,
        target: prefix,
        details: { name: body.name, scopes: body.scopes, patterns: body.patterns ?? [] },
      },
    );
    return { key, secret: formatApiKey(prefix, secret) };
  }

  async listKeys(tenantId: TenantId): Promise<ApiKey[]> {
    await this.getTenant(tenantId);
    return this.store.listKeys(tenantId);
  }

  async revokeKey(actor: string, tenantId: TenantId, keyId: KeyId): Promise<ApiKey> {
    const revoked = await this.store.revokeKey(tenantId, keyId, {
      actor,
      action: "key.revoke",
      tenantId,
      target: keyId,
      details: {},
    });
    return orNotFound(revoked, "key", keyId);
  }
}

function orNotFound<T>(value: T | null, kind: string, name: string): T {
  if (value === null) throw new NotFound(kind, name);
  return value;
}
