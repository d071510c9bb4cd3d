import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { loadOverview } from "@/features/overview/load-overview";
import { NodeSummary } from "@/features/overview/node-summary";
import { Readiness } from "@/features/overview/readiness";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const { health, overview } = await loadOverview();
  const unreachable = !health.ok && !overview.ok;
  return (
    <>
      <h1>Overview</h1>
      {unreachable ? (
        <ApiFailureNotice failure={health.failure} />
      ) : (
        <>
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
