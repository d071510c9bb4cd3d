import { type Alert } from "@/lib/operator-types";

interface Owner {
  resource?: string;
  owner?: string | null;
  epoch?: number;
}

/**
 * What an operator needs to judge an alert. For a split brain: the node that
 * lost its lease while running (the stale owner), what it rejoined as, and
 * for each resource it held, the new owner and its epoch.
 */
export function AlertDetails({ alert }: { readonly alert: Alert }) {
  const d = alert.details;
  if (alert.kind === "split_brain") {
    const owners = Array.isArray(d.resources) ? (d.resources as Owner[]) : [];
    return (
      <div className="small">
        <p className="split-nodes">
          Stale owner <code>{String(d.node_id ?? "?")}</code> → rejoined as{" "}
          <code>{String(d.rejoined_as ?? "?")}</code>
        </p>
        {owners.length > 0 ? (
          <table className="table table-compact">
            <caption className="visually-hidden">Resources taken over</caption>
            <thead>
              <tr>
                <th scope="col">Resource</th>
                <th scope="col">New owner</th>
                <th scope="col">Epoch</th>
              </tr>
            </thead>
            <tbody>
              {owners.slice(0, 10).map((o, i) => (
                <tr key={o.resource ?? i}>
                  <td>
                    <code>{o.resource}</code>
                  </td>
                  <td>
                    {o.owner ? (
                      <code>{o.owner}</code>
                    ) : (
                      <span className="muted">released: the next use claims it</span>
                    )}
                  </td>
                  <td className="num">
                    {o.epoch}{" "}
                    <span className="muted">
                      {o.owner ? `(stale owner's was < ${o.epoch})` : "(the stale owner's)"}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">It held no resources at the time.</p>
        )}
        {owners.length > 10 && <p className="muted">…and {owners.length - 10} more.</p>}
      </div>
    );
  }
  const entries = Object.entries(d);
  if (entries.length === 0) return null;
  return (
    <dl className="facts small">
      {entries.map(([k, v]) => (
        <div key={k} className="facts-row">
          <dt>{k}</dt>
          <dd>
            <code>{typeof v === "string" ? v : JSON.stringify(v)}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}
