import { type Tenant } from "@strata/client";
import { DateTime } from "@/components/date-time";
import { TenantStatusBadge } from "./tenant-status";

export function TenantFacts({ tenant }: { readonly tenant: Tenant }) {
  return (
    <section className="card" aria-labelledby="tenant-facts-title">
      <h2 id="tenant-facts-title">Details</h2>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{tenant.id}</code>
        </dd>
        <dt>Status</dt>
        <dd>
          <TenantStatusBadge status={tenant.status} />
        </dd>
        <dt>Created</dt>
        <dd>
          <DateTime iso={tenant.created_at} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <DateTime iso={tenant.updated_at} />
        </dd>
      </dl>
    </section>
  );
}
