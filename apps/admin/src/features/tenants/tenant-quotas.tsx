"use client";

import { type TenantQuotasView } from "@strata/client";
import { Fragment, useActionState } from "react";
import { SubmitButton } from "@/components/submit-button";
import { formatBytes, formatNumber } from "@/lib/format";
import { type QuotaFormState, saveQuotas } from "./quota-actions";
import { QUOTA_FIELDS } from "./quota-fields";

function usageText(name: (typeof QUOTA_FIELDS)[number]["name"], view: TenantQuotasView): string {
  const used = view.usage[name];
  const limit = view.quotas[name];
  const fmt = name === "stored_bytes" ? formatBytes : formatNumber;
  return `${fmt(used)} of ${limit === undefined ? "unlimited" : fmt(limit)}`;
}

/** Quotas with current usage, and a form to set or clear them (empty = unlimited). */
export function TenantQuotas({
  tenantId,
  view,
}: {
  readonly tenantId: string;
  readonly view: TenantQuotasView;
}) {
  const [state, action] = useActionState<QuotaFormState, FormData>(saveQuotas, {});
  return (
    <section className="card" aria-labelledby="quotas-title">
      <h2 id="quotas-title">Quotas</h2>
      <dl className="facts" data-testid="quota-usage">
        {QUOTA_FIELDS.map((f) => (
          <Fragment key={f.name}>
            <dt>{f.label}</dt>
            <dd>{usageText(f.name, view)}</dd>
          </Fragment>
        ))}
      </dl>
      <p className="muted small">
        Rate and connections are counted by the node that answered; stored bytes lag by a few
        seconds. Over a quota, requests get 429 with Retry-After.
      </p>
      <form action={action} aria-labelledby="quotas-title">
        <input type="hidden" name="tenant_id" value={tenantId} />
        {QUOTA_FIELDS.map((f) => (
          <div className="field" key={f.name}>
            <label htmlFor={`quota-${f.name}`}>{f.label}</label>
            <input
              id={`quota-${f.name}`}
              name={f.name}
              type="number"
              min={1}
              step={1}
              inputMode="numeric"
              placeholder="unlimited"
              defaultValue={view.quotas[f.name] ?? ""}
              aria-invalid={state.error?.includes(f.label) ? true : undefined}
              aria-describedby={state.error ? "quotas-error" : undefined}
            />
          </div>
        ))}
        <SubmitButton pendingLabel="Saving…">Save quotas</SubmitButton>
        {state.error && (
          <p id="quotas-error" className="form-error" role="alert">
            {state.error}
          </p>
        )}
        {state.done && (
          <p className="muted small" role="status">
            {state.done}
          </p>
        )}
      </form>
    </section>
  );
}
