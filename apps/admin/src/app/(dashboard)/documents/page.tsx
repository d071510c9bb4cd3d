import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { EmptyState } from "@/components/empty-state";
import { TenantFilter } from "@/components/tenant-filter";
import { DocTable } from "@/features/documents/doc-table";
import { load } from "@/lib/admin-api";
import { firstParam, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Documents" };

export default async function DocumentsPage({
  searchParams,
}: {
  readonly searchParams: Promise<SearchParams>;
}) {
  const tenant = firstParam((await searchParams).tenant)?.trim() || undefined;
  const docs = await load((api) => api.docs({ tenant, limit: 200 }));
  // 404 or 405: an API from before the documents capability.
  const unavailable = !docs.ok && (docs.failure.status === 404 || docs.failure.status === 405);
  return (
    <>
      <h1>Documents</h1>
      <TenantFilter label="Filter documents" href="/documents" tenant={tenant} />
      {unavailable ? (
        <EmptyState>
          <p>The documents capability is not available on this API yet.</p>
          <p className="muted small">
            This page lists Automerge documents (size, heads, changes vs snapshot, tier) once the
            API serves <code>GET /v1/admin/docs</code>; upgrade the API nodes to get it.
          </p>
        </EmptyState>
      ) : !docs.ok ? (
        <ApiFailureNotice failure={docs.failure} />
      ) : docs.data.items.length === 0 ? (
        <EmptyState>
          <p>No documents yet. Tenants create them over REST or with an automerge-repo client.</p>
        </EmptyState>
      ) : (
        <DocTable docs={docs.data.items} />
      )}
    </>
  );
}
