import "server-only";
import { type Health, type Overview } from "@strata/client";
import { load, type Loaded } from "@/lib/admin-api";
import {
  type Alert,
  type ClusterNode,
  type InventoryPage,
  type TenantTraffic,
} from "@/lib/operator-types";

export interface OverviewData {
  /** Readiness as a load balancer sees it (`/health/ready`). */
  readonly health: Loaded<Health>;
  /** What the answering node reports about itself and the cluster. */
  readonly overview: Loaded<Overview>;
  readonly nodes: Loaded<{ items: ClusterNode[] }>;
  readonly alerts: Loaded<{ items: Alert[]; open: number }>;
  readonly inventory: Loaded<InventoryPage>;
  /** Per-tenant traffic summed over the nodes; fails alone on an API without it. */
  readonly traffic: Loaded<TenantTraffic>;
}

/** Every call at once; each may fail on its own (e.g. overview 500 while readiness answers). */
export async function loadOverview(): Promise<OverviewData> {
  const [health, overview, nodes, alerts, inventory, traffic] = await Promise.all([
    load((api) => api.health()),
    load((api) => api.overview()),
    load((api) => api.nodes()),
    load((api) => api.alerts({ open: true, limit: 5 })),
    load((api) => api.inventory({ limit: 1000 })),
    load((api) => api.tenantTraffic({ limit: 20 })),
  ]);
  return { health, overview, nodes, alerts, inventory, traffic };
}
