import { type TenantStatus } from "@strata/client";

export function TenantStatusBadge({ status }: { readonly status: TenantStatus }) {
  return (
    <span className={`badge ${status === "active" ? "badge-ok" : "badge-warn"}`}>{status}</span>
  );
}
