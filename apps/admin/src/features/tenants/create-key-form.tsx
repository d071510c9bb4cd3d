"use client";

import { useActionState, useState } from "react";
import { SubmitButton } from "@/components/submit-button";
import { createKey, type CreateKeyState } from "./key-actions";

const SCOPES = ["streams:read", "streams:write", "kv:read", "kv:write", "docs:read", "docs:write"];

export function CreateKeyForm({ tenantId }: { readonly tenantId: string }) {
  const [state, action] = useActionState<CreateKeyState, FormData>(createKey, {});
  return (
    <section className="card" aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create an API key</h2>
      {state.secret ? (
        <SecretOnce secret={state.secret} name={state.name ?? "key"} />
      ) : (
        <form action={action} className="stack">
          <input type="hidden" name="tenant_id" value={tenantId} />
          <div className="field">
            <label htmlFor="key-name">Key name</label>
            <input
              id="key-name"
              name="name"
              required
              maxLength={100}
              defaultValue={state.name}
              autoComplete="off"
            />
          </div>
          <fieldset className="field">
            <legend>Scopes</legend>
            <div className="checks">
              {SCOPES.map((s) => (
                <label key={s}>
                  <input type="checkbox" name="scopes" value={s} /> <code>{s}</code>
                </label>
              ))}
            </div>
          </fieldset>
          <div className="field">
            <label htmlFor="key-patterns">Name patterns (optional)</label>
            <input
              id="key-patterns"
              name="patterns"
              placeholder="orders.* billing.>"
              aria-describedby="key-patterns-hint"
              autoComplete="off"
              spellCheck={false}
            />
            <p id="key-patterns-hint" className="muted small">
              Space- or comma-separated; <code>*</code> matches one token, <code>&gt;</code> the
              rest. Empty: every stream, bucket and document of the tenant.
            </p>
          </div>
          <div className="field">
            <label htmlFor="key-expires">Expires (optional, UTC)</label>
            <input id="key-expires" name="expires_at" type="datetime-local" />
          </div>
          {state.error && (
            <p className="form-error" role="alert">
              {state.error}
            </p>
          )}
          <SubmitButton pendingLabel="Creating…">Create key</SubmitButton>
        </form>
      )}
    </section>
  );
}

/** The secret, once: copy it now, it is stored only as a hash. */
function SecretOnce({ secret, name }: { readonly secret: string; readonly name: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="notice notice-warning stack" role="status">
      <p>
        <strong>Key “{name}” created.</strong> Copy its secret now: it is shown only this once and
        cannot be recovered.
      </p>
      <div className="field-row">
        <input
          readOnly
          value={secret}
          aria-label="New key secret"
          className="secret"
          onFocus={(e) => e.currentTarget.select()}
        />
        <button
          type="button"
          className="button"
          onClick={async () => {
            await navigator.clipboard?.writeText(secret).catch(() => {});
            setCopied(true);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <p className="small">
        <a href="">Create another key</a>
      </p>
    </div>
  );
}
