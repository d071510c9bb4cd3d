import { DateTime } from "@/components/date-time";
import { type Alert } from "@/lib/operator-types";
import { acknowledgeAlert, resolveAlert } from "./actions";
import { AlertActionButton } from "./alert-action-button";
import { AlertDetails } from "./alert-details";
import { alertLabel } from "./alert-kinds";

function state(a: Alert): { label: string; tone: string } {
  if (a.resolved_at) return { label: "resolved", tone: "ok" };
  if (a.acknowledged_at) return { label: "acknowledged", tone: "warn" };
  return { label: "open", tone: "bad" };
}

export function AlertTable({ alerts }: { readonly alerts: readonly Alert[] }) {
  return (
    <table className="table">
      <caption className="visually-hidden">Alerts, most recent first</caption>
      <thead>
        <tr>
          <th scope="col">Alert</th>
          <th scope="col">What happened</th>
          <th scope="col">Seen</th>
          <th scope="col">State</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => {
          const kind = alertLabel(a.kind);
          const s = state(a);
          const titleId = `alert-${a.id}`;
          return (
            <tr key={a.id} data-alert-kind={a.kind}>
              <th scope="row" id={titleId}>
                <span className={`badge badge-${kind.tone}`}>{kind.label}</span>
                <div className="small">
                  <code>{a.resource}</code>
                </div>
              </th>
              <td>
                <p className="alert-message">{a.message}</p>
                <AlertDetails alert={a} />
              </td>
              <td className="small">
                first <DateTime iso={a.first_seen_at} seconds />
                <br />
                last <DateTime iso={a.last_seen_at} seconds />
                {a.count > 1 && <div className="muted">{a.count} times</div>}
              </td>
              <td>
                <span className={`badge badge-${s.tone}`}>{s.label}</span>
                {a.acknowledged_by && !a.resolved_at && (
                  <div className="muted small">by {a.acknowledged_by}</div>
                )}
              </td>
              <td>
                <div className="actions-col">
                  {!a.acknowledged_at && !a.resolved_at && (
                    <AlertActionButton
                      id={a.id}
                      label="Acknowledge"
                      pendingLabel="Acknowledging…"
                      action={acknowledgeAlert}
                      describedBy={titleId}
                    />
                  )}
                  {!a.resolved_at && (
                    <AlertActionButton
                      id={a.id}
                      label="Resolve"
                      pendingLabel="Resolving…"
                      action={resolveAlert}
                      describedBy={titleId}
                    />
                  )}
                </div>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
