import { type Overview } from "@strata/client";
import Link from "next/link";
import { DateTime } from "@/components/date-time";
import { formatAge } from "@/lib/format";

/** The node that answered, and cluster-wide counts. */
export function NodeSummary({ overview }: { readonly overview: Overview }) {
  const { node } = overview;
  return (
    <div className="grid">
      <section className="card" aria-labelledby="node-title">
        <h2 id="node-title">Node</h2>
        <dl className="facts">
          <dt>Id</dt>
          <dd>
            <code>{node.id}</code>
          </dd>
          <dt>Version</dt>
          <dd>{node.version}</dd>
          <dt>Roles</dt>
          <dd>{node.roles.length ? node.roles.join(", ") : "none"}</dd>
          <dt>Started</dt>
          <dd>
            <DateTime iso={node.started_at} />{" "}
            <span className="muted">(up for {formatAge(node.started_at)})</span>
          </dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="tenants-count-title">
        <h2 id="tenants-count-title">Tenants</h2>
        <p className="big-number">{overview.tenants}</p>
        <p>
          <Link href="/tenants">
            {overview.tenants === 0 ? "Create the first tenant" : "See all tenants"}
          </Link>
        </p>
      </section>
    </div>
  );
}
