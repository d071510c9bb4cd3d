import Link from "next/link";
import { type ClusterNode } from "@/lib/operator-types";

const STATES = ["alive", "suspect", "draining", "dead"] as const;
const TONE: Record<string, string> = {
  alive: "ok",
  suspect: "warn",
  draining: "warn",
  dead: "bad",
};

/** Nodes by status: the first thing to look at when something is wrong. */
export function ClusterHealth({ nodes }: { readonly nodes: readonly ClusterNode[] }) {
  const count = (s: string) => nodes.filter((n) => n.status === s).length;
  const healthy = count("alive") === nodes.length && nodes.length > 0;
  return (
    <section className="card" aria-labelledby="cluster-title">
      <h2 id="cluster-title">Cluster</h2>
      <p className={`banner ${healthy ? "banner-ok" : "banner-bad"}`} role="status">
        <span className="dot" aria-hidden="true" />
        {healthy
          ? `${nodes.length} node${nodes.length === 1 ? "" : "s"} alive`
          : nodes.length === 0
            ? "No node reports in"
            : `${count("alive")} of ${nodes.length} nodes alive`}
      </p>
      <ul className="stat-row" aria-label="Nodes by status">
        {STATES.map((s) => (
          <li key={s}>
            <span className={`badge badge-${TONE[s]}`}>{s}</span> <strong>{count(s)}</strong>
          </li>
        ))}
      </ul>
      <p className="small">
        <Link href="/nodes">Nodes</Link> · <Link href="/placement">Placement</Link>
      </p>
    </section>
  );
}
