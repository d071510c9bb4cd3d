import Link from "next/link";
import { DateTime } from "@/components/date-time";
import { NodeStatusBadge } from "@/features/nodes/node-status";
import { type Placement } from "@/lib/operator-types";

/** Where a resource's page is in the dashboard, when it has one. */
function resourceHref(p: Placement): string | null {
  if (!p.tenant || !p.name) return null;
  const path = `${encodeURIComponent(p.tenant.name ?? p.tenant.id)}/${encodeURIComponent(p.name)}`;
  if (p.kind === "stream") return `/streams/${path}`;
  if (p.kind === "bucket") return `/kv/${path}`;
  return null;
}

export function PlacementTable({
  rows,
  caption,
}: {
  readonly rows: readonly Placement[];
  readonly caption: string;
}) {
  return (
    <table className="table">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Resource</th>
          <th scope="col">Kind</th>
          <th scope="col">Tenant</th>
          <th scope="col">Owner</th>
          <th scope="col">Epoch</th>
          <th scope="col">Acquired</th>
          <th scope="col">Lease expires</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => {
          const href = resourceHref(p);
          return (
            <tr key={p.resource} data-resource={p.resource}>
              <th scope="row">
                {href ? <Link href={href}>{p.name}</Link> : (p.name ?? <code>{p.resource}</code>)}
              </th>
              <td>{p.kind}</td>
              <td>{p.tenant?.name ?? <span className="muted">—</span>}</td>
              <td>
                {p.node_id ? (
                  <>
                    <code>{p.node_id}</code>{" "}
                    {p.node_status && <NodeStatusBadge status={p.node_status} />}
                  </>
                ) : (
                  <span className="muted">released</span>
                )}
              </td>
              <td className="num">{p.epoch}</td>
              <td>
                <DateTime iso={p.acquired_at} />
              </td>
              <td>
                {p.lease_expires_at ? (
                  <DateTime iso={p.lease_expires_at} seconds />
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
