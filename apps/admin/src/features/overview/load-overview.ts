import "server-only";
import { type Health, type Overview } from "@strata/client";
import { load, type Loaded } from "@/lib/admin-api";

export interface OverviewData {
  /** Readiness as a load balancer sees it (`/health/ready`). */
  readonly health: Loaded<Health>;
  /** What the answering node reports about itself and the cluster. */
  readonly overview: Loaded<Overview>;
}

/** Both calls at once; either may fail on its own (e.g. overview 500 while readiness answers). */
export async function loadOverview(): Promise<OverviewData> {
  const [health, overview] = await Promise.all([
    load((api) => api.health()),
    load((api) => api.overview()),
  ]);
  return { health, overview };
}
