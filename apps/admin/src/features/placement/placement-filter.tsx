import Link from "next/link";
import { type ClusterNode } from "@/lib/operator-types";
import { KINDS, type PlacementParams } from "./placement-params";

/** A plain GET form: the filters live in the URL, so a view can be shared or bookmarked. */
export function PlacementFilter({
  params,
  nodes,
}: {
  readonly params: PlacementParams;
  readonly nodes: readonly ClusterNode[];
}) {
  return (
    <form method="get" className="inline-form filter-form" aria-label="Filter placements">
      <div className="field">
        <label htmlFor="f-node">Node</label>
        <select id="f-node" name="node" defaultValue={params.node ?? ""}>
          <option value="">Any node</option>
          {nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name} ({n.status})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-tenant">Tenant (name or id)</label>
        <input id="f-tenant" name="tenant" defaultValue={params.tenant ?? ""} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="f-kind">Kind</label>
        <select id="f-kind" name="kind" defaultValue={params.kind ?? ""}>
          <option value="">Any kind</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </div>
      <div className="filter-actions">
        <button type="submit" className="button">
          Filter
        </button>
        <Link href="/placement" className="button button-quiet">
          Clear
        </Link>
      </div>
    </form>
  );
}
