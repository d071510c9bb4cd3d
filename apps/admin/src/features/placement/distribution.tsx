import { formatNumber } from "@/lib/format";
import { type ClusterNode, type ResourceKind } from "@/lib/operator-types";

/**
 * Resources per node as bars against the even share (the dashed line): a
 * node far above or below it is the imbalance to look at. Dead nodes own
 * nothing once their leases have been taken over.
 */
export function Distribution({
  nodes,
  kind,
}: {
  readonly nodes: readonly ClusterNode[];
  readonly kind?: ResourceKind;
}) {
  const owned = (n: ClusterNode) =>
    kind ? n.owned[kind] : n.owned.stream + n.owned.bucket + n.owned.doc;
  const live = nodes.filter((n) => n.status !== "dead");
  const total = nodes.reduce((a, n) => a + owned(n), 0);
  const max = Math.max(1, ...nodes.map(owned));
  const even = live.length > 0 ? total / live.length : 0;
  const spread =
    even > 0 ? Math.max(...live.map((n) => Math.abs(owned(n) - even) / even)) * 100 : 0;
  return (
    <section className="card" aria-labelledby="distribution-title">
      <h2 id="distribution-title">Distribution per node{kind ? ` (${kind}s)` : ""}</h2>
      <p className="muted small">
        {total === 0
          ? "Nothing is placed yet: resources are claimed on first use."
          : `${formatNumber(total)} placed; an even share is ${even.toFixed(1)} per live node; the most uneven node is ${Math.round(spread)}% off it.`}
      </p>
      <ul className="bars" aria-label="Resources per node">
        {nodes.map((n) => {
          const value = owned(n);
          const off = even > 0 ? Math.round(((value - even) / even) * 100) : 0;
          const tone = n.status === "dead" ? "dead" : Math.abs(off) > 50 ? "hot" : "ok";
          return (
            <li key={n.id} className="bar-row">
              <span className="bar-label">
                {n.name} <span className="muted small">({n.status})</span>
              </span>
              <span className="bar-track">
                <span
                  className={`bar-fill bar-${tone}`}
                  style={{ width: `${(value / max) * 100}%` }}
                />
                {even > 0 && (
                  <span
                    className="bar-even"
                    style={{ left: `${(even / max) * 100}%` }}
                    aria-hidden="true"
                  />
                )}
              </span>
              <span className="bar-value">
                {formatNumber(value)}
                {even > 0 && n.status !== "dead" && (
                  <span className="muted small">
                    {" "}
                    ({off >= 0 ? "+" : ""}
                    {off}%)
                  </span>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
