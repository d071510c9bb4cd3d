import { type Metadata } from "next";
import Link from "next/link";
import { ApiFailureNotice } from "@/components/api-failure";
import { KeyTable } from "@/features/tenants/key-table";
import { loadTenant } from "@/features/tenants/load-tenant";
import { TenantFacts } from "@/features/tenants/tenant-facts";

export const metadata: Metadata = { title: "Tenant" };

export default async function TenantPage({ params }: { readonly params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { tenant, keys } = await loadTenant(id);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link href="/tenants">Tenants</Link>
          </li>
          <li aria-current="page">{tenant.ok ? tenant.data.name : id}</li>
        </ol>
      </nav>
      {tenant.ok ? (
        <>
          <h1>{tenant.data.name}</h1>
          <TenantFacts tenant={tenant.data} />
        </>
      ) : (
        <>
          <h1>Tenant</h1>
          <ApiFailureNotice failure={tenant.failure} />
        </>
      )}
      {(tenant.ok || keys.ok) && (
        <section aria-labelledby="keys-title">
          <h2 id="keys-title">API keys</h2>
          {keys.ok ? (
            <KeyTable keys={keys.data.items} tenantId={id} />
          ) : (
            <ApiFailureNotice failure={keys.failure} />
          )}
        </section>
      )}
    </>
  );
}
