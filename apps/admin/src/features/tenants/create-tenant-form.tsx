"use client";

import { useActionState } from "react";
import { SubmitButton } from "@/components/submit-button";
import { createTenant, type CreateTenantState } from "./actions";

export function CreateTenantForm() {
  const [state, action] = useActionState<CreateTenantState, FormData>(createTenant, {});
  return (
    <form action={action} className="inline-form" aria-labelledby="create-tenant-title">
      <h2 id="create-tenant-title" className="visually-hidden">
        Create a tenant
      </h2>
      <div className="field">
        <label htmlFor="tenant-name">New tenant name</label>
        <div className="field-row">
          <input
            id="tenant-name"
            name="name"
            required
            maxLength={100}
            autoComplete="off"
            spellCheck={false}
            defaultValue={state.name}
            key={state.name}
            aria-invalid={state.error ? true : undefined}
            aria-describedby={
              state.error ? "tenant-name-hint tenant-name-error" : "tenant-name-hint"
            }
          />
          <SubmitButton pendingLabel="Creating…">Create tenant</SubmitButton>
        </div>
        <p id="tenant-name-hint" className="muted small">
          Letters, digits, <code>.</code>, <code>_</code> or <code>-</code>; up to 100 characters.
        </p>
      </div>
      {state.error && (
        <p id="tenant-name-error" className="form-error" role="alert">
          {state.error}
        </p>
      )}
    </form>
  );
}
