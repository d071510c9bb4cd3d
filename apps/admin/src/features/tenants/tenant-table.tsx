import { type Tenant } from "@strata/client";
import Link from "next/link";
import { DateTime } from "@/components/date-time";
import { TenantStatusBadge } from "./tenant-status";

export function TenantTable({ tenants }: { readonly tenants: readonly Tenant[] }) {
  return (
    <table className="table">
      <caption className="visually-hidden">Tenants, by name</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Status</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {tenants.map((tenant) => (
          <tr key={tenant.id}>
            <th scope="row">
              <Link href={`/tenants/${encodeURIComponent(tenant.id)}`}>{tenant.name}</Link>
            </th>
            <td>
              <TenantStatusBadge status={tenant.status} />
            </td>
            <td>
              <DateTime iso={tenant.created_at} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
