import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { EmptyState } from "@/components/empty-state";
import { TenantFilter } from "@/components/tenant-filter";
import { BucketTable } from "@/features/kv/bucket-table";
import { load } from "@/lib/admin-api";
import { firstParam, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "KV" };

export default async function KvPage({
  searchParams,
}: {
  readonly searchParams: Promise<SearchParams>;
}) {
  const tenant = firstParam((await searchParams).tenant)?.trim() || undefined;
  const buckets = await load((api) => api.buckets({ tenant }));
  return (
    <>
      <h1>KV buckets</h1>
      <TenantFilter label="Filter buckets" href="/kv" tenant={tenant} />
      {!buckets.ok ? (
        <ApiFailureNotice failure={buckets.failure} />
      ) : buckets.data.items.length === 0 ? (
        <EmptyState>
          <p>
            {tenant
              ? `Tenant “${tenant}” has no buckets.`
              : "No buckets yet. A tenant creates one with PUT /v1/kv/{bucket}."}
          </p>
        </EmptyState>
      ) : (
        <BucketTable buckets={buckets.data.items} />
      )}
    </>
  );
}
