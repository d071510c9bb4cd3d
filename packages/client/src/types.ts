import { type KeyId, type Scope, type TenantId, type TenantStatus } from "@strata/core/public";

/** An ISO 8601 timestamp as the API sends it (`2025-01-31T12:00:00.000Z`). */
export type IsoDateTime = string;

/**
 * Result of each readiness check: `"ok"`, or a short reason
 * (`"error: connection refused"`, `"pending: 2"`). More checks may appear
 * as the server grows, so render unknown keys too.
 */
export interface HealthChecks {
  readonly database: string;
  readonly migrations: string;
  readonly [check: string]: string;
}

/** Body of `GET /health/ready`, both when ready (200) and not (503). */
export interface Health {
  readonly status: "ready" | "not_ready";
  readonly checks: HealthChecks;
}

/** Body of `GET /v1/admin/overview`: the answering node and the cluster it sees. */
export interface Overview {
  readonly node: {
    readonly id: string;
    readonly version: string;
    readonly started_at: IsoDateTime;
    readonly roles: readonly string[];
  };
  readonly ready: boolean;
  readonly checks: HealthChecks;
  /** Number of tenants. */
  readonly tenants: number;
}

export interface Tenant {
  readonly id: TenantId;
  readonly name: string;
  readonly status: TenantStatus;
  readonly created_at: IsoDateTime;
  readonly updated_at: IsoDateTime;
}

/** A tenant's quotas; an absent field is unlimited. */
export interface TenantQuotas {
  readonly messages_per_second?: number;
  readonly stored_bytes?: number;
  readonly connections?: number;
}

/** Quotas with usage: rate and connections are those of the answering node. */
export interface TenantQuotasView {
  readonly quotas: TenantQuotas;
  readonly usage: {
    readonly messages_per_second: number;
    readonly stored_bytes: number;
    readonly connections: number;
  };
}

/** One page of tenants, ordered by name. */
export interface TenantPage {
  readonly items: readonly Tenant[];
  /** Pass as `after` for the next page; null on the last page. */
  readonly next_after: string | null;
}

/** A tenant key as listed: never its secret. */
export interface ApiKey {
  readonly id: KeyId;
  readonly tenant_id: TenantId;
  readonly name: string;
  /** Public part of the key (`sk_<prefix>_…`), to tell keys apart. */
  readonly prefix: string;
  readonly scopes: readonly Scope[];
  /** Name patterns the key may reach; empty means every name of the tenant. */
  readonly patterns: readonly string[];
  readonly expires_at: IsoDateTime | null;
  readonly revoked_at: IsoDateTime | null;
  readonly created_at: IsoDateTime;
}

/** A key just created: the only response that ever carries its secret. */
export interface CreatedApiKey extends ApiKey {
  readonly secret: string;
}

export interface KeyList {
  readonly items: readonly ApiKey[];
}

export interface NewKey {
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly patterns?: readonly string[];
  readonly expires_at?: IsoDateTime;
}

export interface TenantPatch {
  readonly name?: string;
  readonly status?: TenantStatus;
}

export interface PageParams {
  readonly limit?: number;
  /** The `next_after` of the previous page. */
  readonly after?: string;
}

/** Body of `GET /v1/whoami`: who a tenant key belongs to and what it may do. */
export interface Whoami {
  readonly tenant: { readonly id: TenantId; readonly name: string };
  readonly key: { readonly id: KeyId };
  readonly scopes: readonly Scope[];
  readonly patterns: readonly string[];
}
