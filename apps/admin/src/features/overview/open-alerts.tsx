import Link from "next/link";
import { DateTime } from "@/components/date-time";
import { alertLabel } from "@/features/alerts/alert-kinds";
import { type Alert } from "@/lib/operator-types";

/** The newest open alerts, each linking to the alerts page. */
export function OpenAlerts({
  alerts,
  open,
}: {
  readonly alerts: readonly Alert[];
  readonly open: number;
}) {
  return (
    <section className="card" aria-labelledby="open-alerts-title">
      <h2 id="open-alerts-title">Open alerts</h2>
      {alerts.length === 0 ? (
        <p className="banner banner-ok" role="status">
          <span className="dot" aria-hidden="true" />
          No open alerts
        </p>
      ) : (
        <ul className="alert-list">
          {alerts.map((a) => {
            const kind = alertLabel(a.kind);
            return (
              <li key={a.id}>
                <span className={`badge badge-${kind.tone}`}>{kind.label}</span>{" "}
                <span>{a.message}</span>{" "}
                <span className="muted small">
                  <DateTime iso={a.last_seen_at} />
                  {a.acknowledged_at ? " · acknowledged" : ""}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      <p className="small">
        <Link href="/alerts">{open > alerts.length ? `All ${open} open alerts` : "Alerts"}</Link>
      </p>
    </section>
  );
}
