import { type Clock, TenantQuotaGuard, type TenantId } from "@strata/core";
import { type TenantRepositoryPg } from "@strata/db";

/** How stale the stored-bytes aggregate may be: a tenant can overshoot by what it writes meanwhile. */
export const STORED_BYTES_CACHE_MS = 5_000;

/** The node's quota guard, reading quotas and stored bytes from PostgreSQL through short caches. */
export function createQuotaGuard(
  store: TenantRepositoryPg,
  clock: Clock,
  quotasCacheMs: number,
): TenantQuotaGuard {
  return new TenantQuotaGuard(
    {
      quotas: async (id: TenantId) => (await store.getQuotas(id)) ?? {},
      storedBytes: (id: TenantId) => store.storedBytes(id),
    },
    clock,
    { quotasCacheMs, storedBytesCacheMs: STORED_BYTES_CACHE_MS },
  );
}
