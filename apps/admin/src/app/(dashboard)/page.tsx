import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { ClusterHealth } from "@/features/overview/cluster-health";
import { loadOverview } from "@/features/overview/load-overview";
import { NodeSummary } from "@/features/overview/node-summary";
import { OpenAlerts } from "@/features/overview/open-alerts";
import { Readiness } from "@/features/overview/readiness";
import { StorageCard } from "@/features/overview/storage-card";
import { ThroughputChart } from "@/features/overview/throughput-chart";
import { TopTenants } from "@/features/overview/top-tenants";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const { health, overview, nodes, alerts, inventory, traffic } = await loadOverview();
  const unreachable = !health.ok && !overview.ok;
  return (
    <>
      <h1>Overview</h1>
      {unreachable ? (
        <ApiFailureNotice failure={health.failure} />
      ) : (
        <>
          <div className="grid">
            {nodes.ok ? (
              <ClusterHealth nodes={nodes.data.items} />
            ) : (
              <ApiFailureNotice failure={nodes.failure} />
            )}
            {alerts.ok ? (
              <OpenAlerts alerts={alerts.data.items} open={alerts.data.open} />
            ) : (
              <ApiFailureNotice failure={alerts.failure} />
            )}
          </div>
          <ThroughputChart />
          {inventory.ok ? (
            <div className="grid">
              <StorageCard inventory={inventory.data} />
              <TopTenants items={inventory.data.items} traffic={traffic} />
            </div>
          ) : (
            <ApiFailureNotice failure={inventory.failure} />
          )}
          {health.ok ? (
            <Readiness health={health.data} />
          ) : (
            <ApiFailureNotice failure={health.failure} />
          )}
          {overview.ok ? (
            <NodeSummary overview={overview.data} />
          ) : (
            <ApiFailureNotice failure={overview.failure} />
          )}
        </>
      )}
    </>
  );
}
