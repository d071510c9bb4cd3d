import { type ApiKey } from "@strata/client";
import { ConfirmAction } from "@/components/confirm-action";
import { DateTime } from "@/components/date-time";
import { revokeKey } from "./key-actions";

/** A key's state as an operator thinks of it; revocation wins over expiry. */
function keyState(key: ApiKey, now: Date): { label: string; tone: "ok" | "bad" | "warn" } {
  if (key.revoked_at) return { label: "revoked", tone: "bad" };
  if (key.expires_at && new Date(key.expires_at) <= now) return { label: "expired", tone: "warn" };
  return { label: "active", tone: "ok" };
}

export function KeyTable({
  keys,
  tenantId,
}: {
  readonly keys: readonly ApiKey[];
  readonly tenantId: string;
}) {
  if (keys.length === 0) {
    return (
      <div className="empty" role="status">
        <p>This tenant has no API keys yet.</p>
        <p className="muted small">
          Create one with the form below (or <code>POST /v1/admin/tenants/{tenantId}/keys</code>);
          its secret is shown only once.
        </p>
      </div>
    );
  }
  const now = new Date();
  return (
    <table className="table">
      <caption className="visually-hidden">API keys</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Prefix</th>
          <th scope="col">Scopes</th>
          <th scope="col">Names</th>
          <th scope="col">State</th>
          <th scope="col">Expires</th>
          <th scope="col">Created</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => {
          const state = keyState(key, now);
          return (
            <tr key={key.id}>
              <th scope="row">{key.name}</th>
              <td>
                <code>sk_{key.prefix}_…</code>
              </td>
              <td>
                <ul className="chips">
                  {key.scopes.map((scope) => (
                    <li key={scope}>
                      <code>{scope}</code>
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                {key.patterns.length ? (
                  <ul className="chips">
                    {key.patterns.map((p) => (
                      <li key={p}>
                        <code>{p}</code>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="muted">all</span>
                )}
              </td>
              <td>
                <span className={`badge badge-${state.tone}`}>{state.label}</span>
                {key.revoked_at && (
                  <span className="muted small">
                    {" "}
                    <DateTime iso={key.revoked_at} />
                  </span>
                )}
              </td>
              <td>
                {key.expires_at ? (
                  <DateTime iso={key.expires_at} />
                ) : (
                  <span className="muted">never</span>
                )}
              </td>
              <td>
                <DateTime iso={key.created_at} />
              </td>
              <td>
                {!key.revoked_at && (
                  <ConfirmAction
                    label="Revoke"
                    title={`Revoke key “${key.name}”?`}
                    confirmLabel="Revoke key"
                    pendingLabel="Revoking…"
                    action={revokeKey}
                    fields={{ tenant_id: tenantId, key_id: key.id }}
                  >
                    <p>
                      Requests with <code>sk_{key.prefix}_…</code> are refused within a few seconds.
                      This cannot be undone: create a new key instead.
                    </p>
                  </ConfirmAction>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
