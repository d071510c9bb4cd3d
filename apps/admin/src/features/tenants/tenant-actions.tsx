import { type Tenant } from "@strata/client";
import { ConfirmAction } from "@/components/confirm-action";
import { deleteTenant, setTenantStatus } from "./key-actions";

/** Suspend (or reactivate) and delete, each behind a confirmation. */
export function TenantActions({ tenant }: { readonly tenant: Tenant }) {
  const suspended = tenant.status === "suspended";
  return (
    <div className="actions-row">
      <ConfirmAction
        label={suspended ? "Reactivate…" : "Suspend…"}
        title={suspended ? `Reactivate ${tenant.name}?` : `Suspend ${tenant.name}?`}
        confirmLabel={suspended ? "Reactivate" : "Suspend tenant"}
        pendingLabel="Saving…"
        action={setTenantStatus}
        fields={{ tenant_id: tenant.id, status: suspended ? "active" : "suspended" }}
        tone={suspended ? "normal" : "danger"}
      >
        <p>
          {suspended
            ? "Its keys work again at once; nothing was deleted while it was suspended."
            : "Every request with its keys is refused (401) until it is reactivated. Its data stays."}
        </p>
      </ConfirmAction>
      <ConfirmAction
        label="Delete…"
        title={`Delete ${tenant.name}?`}
        confirmLabel="Delete tenant and its data"
        pendingLabel="Deleting…"
        action={deleteTenant}
        fields={{ tenant_id: tenant.id }}
      >
        <p>
          Deletes <strong>{tenant.name}</strong> with its keys, streams, buckets and documents. This
          cannot be undone.
        </p>
      </ConfirmAction>
    </div>
  );
}
