import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { EmptyState } from "@/components/empty-state";
import { LiveRefresh } from "@/components/live-refresh";
import { Distribution } from "@/features/placement/distribution";
import { PlacementFilter } from "@/features/placement/placement-filter";
import { placementParams } from "@/features/placement/placement-params";
import { PlacementTable } from "@/features/placement/placement-table";
import { load } from "@/lib/admin-api";
import { type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Placement" };

const LIMIT = 500;
const MOVE_WINDOW_MS = 60_000;

export default async function PlacementPage({
  searchParams,
}: {
  readonly searchParams: Promise<SearchParams>;
}) {
  const params = placementParams(await searchParams);
  const [nodes, placement] = await Promise.all([
    load((api) => api.nodes()),
    load((api) => api.placement({ ...params, limit: LIMIT })),
  ]);
  const now = Date.now();
  // A claim with epoch > 1 took the resource over from an earlier owner: a move.
  const moves = placement.ok
    ? placement.data.items.filter(
        (p) => p.epoch > 1 && now - new Date(p.acquired_at).getTime() < MOVE_WINDOW_MS,
      )
    : [];
  const filtered = Boolean(params.node || params.tenant || params.kind);
  return (
    <>
      <div className="page-head">
        <h1>Placement</h1>
        <LiveRefresh intervalMs={2000} />
      </div>
      <p className="muted">
        Which node owns each stream, bucket and document, under which epoch. Every takeover bumps
        the epoch; the owner&apos;s node lease must be alive for any of its commits to land.
      </p>
      <PlacementFilter params={params} nodes={nodes.ok ? nodes.data.items : []} />
      {nodes.ok ? (
        <Distribution nodes={nodes.data.items} kind={params.kind} />
      ) : (
        <ApiFailureNotice failure={nodes.failure} />
      )}
      {!placement.ok ? (
        <ApiFailureNotice failure={placement.failure} />
      ) : (
        <>
          <section aria-labelledby="moves-title">
            <h2 id="moves-title">Moves in the last minute ({moves.length})</h2>
            {moves.length === 0 ? (
              <p className="muted">No resource changed owner in the last minute.</p>
            ) : (
              <PlacementTable rows={moves} caption="Moves in the last minute" />
            )}
          </section>
          <section aria-labelledby="placements-title">
            <h2 id="placements-title">
              Placements{filtered ? " matching the filter" : ""} ({placement.data.items.length}
              {placement.data.next_after ? `, first ${LIMIT}` : ""})
            </h2>
            {placement.data.items.length === 0 ? (
              <EmptyState>
                <p>
                  {filtered
                    ? "Nothing matches these filters. Clear them to see every placement."
                    : "Nothing is placed yet: a resource is claimed by a node on its first use."}
                </p>
              </EmptyState>
            ) : (
              <PlacementTable rows={placement.data.items} caption="Placements" />
            )}
          </section>
        </>
      )}
    </>
  );
}
