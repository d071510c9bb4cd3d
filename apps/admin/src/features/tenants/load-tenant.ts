import "server-only";
import { type KeyList, type Tenant, type TenantQuotasView } from "@strata/client";
import { load, type Loaded } from "@/lib/admin-api";
import { type InventoryPage } from "@/lib/operator-types";

export interface TenantData {
  readonly tenant: Loaded<Tenant>;
  readonly keys: Loaded<KeyList>;
  readonly inventory: Loaded<InventoryPage>;
  readonly quotas: Loaded<TenantQuotasView>;
}

/**
 * The tenant, its keys and its inventory at once. An unknown tenant (404), or
 * an id that is not one at all (400: not a UUID), becomes the not-found page.
 */
export async function loadTenant(id: string): Promise<TenantData> {
  const [tenant, keys, inventory, quotas] = await Promise.all([
    load((api) => api.getTenant(id), { notFoundOn: [400, 404] }),
    load((api) => api.listKeys(id), { notFoundOn: [400, 404] }),
    load((api) => api.inventory({ tenant: id })),
    load((api) => api.getQuotas(id)),
  ]);
  return { tenant, keys, inventory, quotas };
}
