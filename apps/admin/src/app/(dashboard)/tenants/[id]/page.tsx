import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { Breadcrumb } from "@/components/breadcrumb";
import { CreateKeyForm } from "@/features/tenants/create-key-form";
import { KeyTable } from "@/features/tenants/key-table";
import { loadTenant } from "@/features/tenants/load-tenant";
import { TenantActions } from "@/features/tenants/tenant-actions";
import { TenantFacts } from "@/features/tenants/tenant-facts";
import { TenantInventory } from "@/features/tenants/tenant-inventory";
import { TenantQuotas } from "@/features/tenants/tenant-quotas";

export const metadata: Metadata = { title: "Tenant" };

export default async function TenantPage({ params }: { readonly params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { tenant, keys, inventory, quotas } = await loadTenant(id);
  const inv = inventory.ok ? inventory.data.items[0] : undefined;
  return (
    <>
      <Breadcrumb
        trail={[{ href: "/tenants", label: "Tenants" }]}
        current={tenant.ok ? tenant.data.name : id}
      />
      {tenant.ok ? (
        <>
          <div className="page-head">
            <h1>{tenant.data.name}</h1>
            <TenantActions tenant={tenant.data} />
          </div>
          <div className="grid">
            <TenantFacts tenant={tenant.data} />
            {inv ? (
              <TenantInventory inventory={inv} />
            ) : (
              !inventory.ok && <ApiFailureNotice failure={inventory.failure} />
            )}
            {quotas.ok ? (
              <TenantQuotas tenantId={id} view={quotas.data} />
            ) : (
              <ApiFailureNotice failure={quotas.failure} />
            )}
          </div>
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
      {tenant.ok && <CreateKeyForm tenantId={id} />}
    </>
  );
}
