import { type Metadata } from "next";
import Link from "next/link";
import { ApiFailureNotice } from "@/components/api-failure";
import { CreateTenantForm } from "@/features/tenants/create-tenant-form";
import { tenantListHref, tenantListParams } from "@/features/tenants/page-params";
import { Pagination } from "@/features/tenants/pagination";
import { TenantTable } from "@/features/tenants/tenant-table";
import { load } from "@/lib/admin-api";
import { type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Tenants" };

export default async function TenantsPage({
  searchParams,
}: {
  readonly searchParams: Promise<SearchParams>;
}) {
  const params = tenantListParams(await searchParams);
  const page = await load((api) => api.listTenants(params));
  return (
    <>
      <h1>Tenants</h1>
      <CreateTenantForm />
      {!page.ok ? (
        <ApiFailureNotice failure={page.failure} />
      ) : page.data.items.length === 0 ? (
        <section className="empty" role="status">
          {params.after ? (
            <p>
              No tenants after <q>{params.after}</q>.{" "}
              <Link href={tenantListHref({ limit: params.limit })}>Back to the first page</Link>.
            </p>
          ) : (
            <p>No tenants yet. Create the first one with the form above.</p>
          )}
        </section>
      ) : (
        <>
          <TenantTable tenants={page.data.items} />
          <Pagination params={params} nextAfter={page.data.next_after} />
        </>
      )}
    </>
  );
}
