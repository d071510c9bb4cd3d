import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { EmptyState } from "@/components/empty-state";
import { LiveRefresh } from "@/components/live-refresh";
import { NodeTable } from "@/features/nodes/node-table";
import { load } from "@/lib/admin-api";

export const metadata: Metadata = { title: "Nodes" };

export default async function NodesPage() {
  const [nodes, throughput] = await Promise.all([
    load((api) => api.nodes()),
    load((api) => api.throughput({ limit: 5 })),
  ]);
  const recent = new Map(
    throughput.ok ? throughput.data.nodes.map((n) => [n.node_id, n.points] as const) : [],
  );
  return (
    <>
      <div className="page-head">
        <h1>Nodes</h1>
        <LiveRefresh intervalMs={2000} />
      </div>
      <p className="muted">
        Status and heartbeat age are judged by PostgreSQL&apos;s clock: a node whose lease runs out
        is declared dead and its resources move to the others.
      </p>
      {!nodes.ok ? (
        <ApiFailureNotice failure={nodes.failure} />
      ) : nodes.data.items.length === 0 ? (
        <EmptyState>
          <p>
            No node has registered. Start one with <code>npm start</code> or{" "}
            <code>npm run cluster</code>.
          </p>
        </EmptyState>
      ) : (
        <NodeTable nodes={nodes.data.items} load={recent} />
      )}
    </>
  );
}
