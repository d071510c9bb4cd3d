import { type Metadata } from "next";
import Link from "next/link";
import { ApiFailureNotice } from "@/components/api-failure";
import { EmptyState } from "@/components/empty-state";
import { TenantFilter } from "@/components/tenant-filter";
import { StreamTable } from "@/features/streams/stream-table";
import { load } from "@/lib/admin-api";
import { firstParam, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Streams" };

export default async function StreamsPage({
  searchParams,
}: {
  readonly searchParams: Promise<SearchParams>;
}) {
  const params = await searchParams;
  const tenant = firstParam(params.tenant)?.trim() || undefined;
  const after = Number(firstParam(params.after)) || undefined;
  const page = await load((api) => api.streams({ tenant, after, limit: 100 }));
  return (
    <>
      <h1>Streams</h1>
      <TenantFilter label="Filter streams" href="/streams" tenant={tenant} />
      {!page.ok ? (
        <ApiFailureNotice failure={page.failure} />
      ) : page.data.items.length === 0 ? (
        <EmptyState>
          <p>
            {tenant
              ? `No streams for tenant “${tenant}”. Check the name, or clear the filter.`
              : "No streams yet. A tenant creates one with PUT /v1/streams/{name}."}
          </p>
        </EmptyState>
      ) : (
        <>
          {page.data.unreachable_nodes.length > 0 && (
            <p className="notice notice-warning" role="status">
              Subscriber lag is missing from {page.data.unreachable_nodes.join(", ")}: they did not
              answer in time.
            </p>
          )}
          <StreamTable streams={page.data.items} />
          {page.data.next_after !== null && (
            <nav aria-label="Pagination" className="pagination">
              <span />
              <Link
                rel="next"
                href={`/streams?${new URLSearchParams({ ...(tenant ? { tenant } : {}), after: String(page.data.next_after) })}`}
              >
                Next page →
              </Link>
            </nav>
          )}
        </>
      )}
    </>
  );
}
