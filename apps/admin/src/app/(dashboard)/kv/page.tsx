import { type Metadata } from "next";
import Link from "next/link";
import { ApiFailureNotice } from "@/components/api-failure";
import { EmptyState } from "@/components/empty-state";
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
      <form method="get" className="inline-form filter-form" aria-label="Filter buckets">
        <div className="field">
          <label htmlFor="f-tenant">Tenant (name or id)</label>
          <input id="f-tenant" name="tenant" defaultValue={tenant ?? ""} autoComplete="off" />
        </div>
        <div className="filter-actions">
          <button type="submit" className="button">
            Filter
          </button>
          <Link href="/kv" className="button button-quiet">
            Clear
          </Link>
        </div>
      </form>
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
