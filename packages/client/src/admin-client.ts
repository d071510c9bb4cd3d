import { type FetchLike, HttpTransport, segment } from "./http.js";
import {
  type ApiKey,
  type CreatedApiKey,
  type Health,
  type KeyList,
  type NewKey,
  type Overview,
  type PageParams,
  type Tenant,
  type TenantPage,
  type TenantPatch,
  type TenantQuotas,
  type TenantQuotasView,
} from "./types.js";

export interface StrataAdminClientOptions {
  /** Where the API listens, e.g. `http://localhost:8080`. */
  readonly baseUrl: string;
  /** The operator token (`STRATA_ADMIN_TOKEN` of the API). */
  readonly token: string;
  readonly fetch?: FetchLike;
  /** Abandon a request after this long; 10 s when omitted. */
  readonly timeoutMs?: number;
}

/**
 * The operator API under `/v1/admin`, authenticated by the operator token.
 * Every method throws StrataError when the API answers with an error (401 for
 * a wrong token, 404 for an unknown tenant or key, 409 for a taken name) and
 * StrataConnectionError when it cannot be reached.
 */
export class StrataAdminClient {
  private readonly http: HttpTransport;

  constructor(options: StrataAdminClientOptions) {
    this.http = new HttpTransport(options);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** Node, readiness and counts; also the cheapest way to check a token. */
  overview(): Promise<Overview> {
    return this.http.request({ method: "GET", path: "/v1/admin/overview" });
  }

  /**
   * Readiness of the node (`GET /health/ready`). Resolves with the body when
   * not ready too (503): "not ready" is an answer, not a failure.
   */
  health(): Promise<Health> {
    return this.http.request({ method: "GET", path: "/health/ready", alsoAccept: [503] });
  }

  /** Tenants ordered by name, one page at a time: pass `next_after` back as `after`. */
  listTenants(page: PageParams = {}): Promise<TenantPage> {
    return this.http.request({
      method: "GET",
      path: "/v1/admin/tenants",
      query: { limit: page.limit, after: page.after },
    });
  }

  getTenant(id: string): Promise<Tenant> {
    return this.http.request({ method: "GET", path: tenantPath(id) });
  }

  createTenant(name: string): Promise<Tenant> {
    return this.http.request({ method: "POST", path: "/v1/admin/tenants", body: { name } });
  }

  updateTenant(id: string, patch: TenantPatch): Promise<Tenant> {
    return this.http.request({ method: "PATCH", path: tenantPath(id), body: patch });
  }

  /** Deletes the tenant and everything it owns. */
  deleteTenant(id: string): Promise<void> {
    return this.http.request({ method: "DELETE", path: tenantPath(id) });
  }

  getQuotas(id: string): Promise<TenantQuotasView> {
    return this.http.request({ method: "GET", path: `${tenantPath(id)}/quotas` });
  }

  /** Replaces the quotas: a field left out becomes unlimited. */
  setQuotas(id: string, quotas: TenantQuotas): Promise<TenantQuotasView> {
    return this.http.request({ method: "PUT", path: `${tenantPath(id)}/quotas`, body: quotas });
  }

  /** Creates a key; the response is the only place its secret ever appears. */
  createKey(tenantId: string, key: NewKey): Promise<CreatedApiKey> {
    return this.http.request({ method: "POST", path: `${tenantPath(tenantId)}/keys`, body: key });
  }

  listKeys(tenantId: string): Promise<KeyList> {
    return this.http.request({ method: "GET", path: `${tenantPath(tenantId)}/keys` });
  }

  /** Revokes a key at once and answers it with `revoked_at` set. */
  revokeKey(tenantId: string, keyId: string): Promise<ApiKey> {
    return this.http.request({
      method: "DELETE",
      path: `${tenantPath(tenantId)}/keys/${segment(keyId)}`,
    });
  }
}

function tenantPath(id: string): string {
  return `/v1/admin/tenants/${segment(id)}`;
}
