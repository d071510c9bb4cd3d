import Link from "next/link";
import { ConfirmAction } from "@/components/confirm-action";
import { DateTime } from "@/components/date-time";
import { formatAge, formatMs, formatNumber } from "@/lib/format";
import { type ClusterNode, type ThroughputPoint } from "@/lib/operator-types";
import { drainNode } from "./actions";
import { NodeStatusBadge } from "./node-status";

/** Per-second averages over the node's last few samples. */
function LoadFigures({ points }: { readonly points: readonly ThroughputPoint[] | undefined }) {
  if (!points?.length) return <span className="muted">no figures</span>;
  const avg = (f: (p: ThroughputPoint) => number) =>
    Math.round((points.reduce((a, p) => a + f(p), 0) / points.length) * 10) / 10;
  return (
    <>
      {avg((p) => p.appends)} appends/s
      <br />
      {avg((p) => p.requests)} requests/s
    </>
  );
}

/** Every node the cluster knows (dead ones for ten minutes), with what it owns and a drain button. */
export function NodeTable({
  nodes,
  load,
}: {
  readonly nodes: readonly ClusterNode[];
  /** Recent throughput samples by node id (absent for nodes that did not answer). */
  readonly load: ReadonlyMap<string, readonly ThroughputPoint[]>;
}) {
  const total = nodes.reduce((a, n) => a + n.owned.stream + n.owned.bucket + n.owned.doc, 0);
  return (
    <table className="table">
      <caption className="visually-hidden">Nodes</caption>
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Status</th>
          <th scope="col">Heartbeat age</th>
          <th scope="col">Version</th>
          <th scope="col">Owns (streams / buckets / docs)</th>
          <th scope="col">Load</th>
          <th scope="col">Started</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => {
          const owned = n.owned.stream + n.owned.bucket + n.owned.doc;
          const share = total > 0 ? Math.round((owned / total) * 100) : 0;
          return (
            <tr key={n.id} data-node={n.name} data-node-id={n.id}>
              <th scope="row">
                {n.name}
                <div className="muted small">
                  <code>{n.id}</code>
                </div>
                <div className="muted small">{n.address}</div>
              </th>
              <td>
                <NodeStatusBadge status={n.status} />
              </td>
              <td className={n.heartbeat_age_ms > 5000 ? "text-bad" : undefined}>
                {formatMs(n.heartbeat_age_ms)}
              </td>
              <td>{n.version}</td>
              <td>
                <Link href={`/placement?node=${encodeURIComponent(n.id)}`}>
                  {formatNumber(n.owned.stream)} / {formatNumber(n.owned.bucket)} /{" "}
                  {formatNumber(n.owned.doc)}
                </Link>
              </td>
              <td className="small">
                <LoadFigures points={load.get(n.id)} />
                <div className="muted">{share}% of placements</div>
              </td>
              <td>
                <DateTime iso={n.started_at} />
                <div className="muted small">up {formatAge(n.started_at)}</div>
              </td>
              <td>
                {n.status === "alive" || n.status === "suspect" ? (
                  <ConfirmAction
                    label="Drain"
                    title={`Drain ${n.name}?`}
                    confirmLabel="Drain node"
                    pendingLabel="Draining…"
                    action={drainNode}
                    fields={{ id: n.id }}
                  >
                    <p>
                      {n.name} stops taking work, commits what it accepted and releases its{" "}
                      {formatNumber(owned)} resources; the other nodes take them over at once. The
                      process keeps running; restart it to have it rejoin.
                    </p>
                  </ConfirmAction>
                ) : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
