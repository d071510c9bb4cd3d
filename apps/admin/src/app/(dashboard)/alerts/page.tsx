import { type Metadata } from "next";
import Link from "next/link";
import { ApiFailureNotice } from "@/components/api-failure";
import { EmptyState } from "@/components/empty-state";
import { LiveRefresh } from "@/components/live-refresh";
import { ALERT_LABELS } from "@/features/alerts/alert-kinds";
import { AlertTable } from "@/features/alerts/alert-table";
import { load } from "@/lib/admin-api";
import { firstParam, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Alerts" };

const STATUSES = { open: "Open", all: "All", resolved: "Resolved" } as const;
type Status = keyof typeof STATUSES;

export default async function AlertsPage({
  searchParams,
}: {
  readonly searchParams: Promise<SearchParams>;
}) {
  const params = await searchParams;
  const rawStatus = firstParam(params.status) ?? "open";
  const status: Status = rawStatus in STATUSES ? (rawStatus as Status) : "open";
  const rawKind = firstParam(params.kind);
  const kind = rawKind && rawKind in ALERT_LABELS ? rawKind : undefined;
  const alerts = await load((api) =>
    api.alerts({ open: status === "all" ? undefined : status === "open", kind, limit: 200 }),
  );
  const href = (q: { status?: string; kind?: string }) => {
    const s = new URLSearchParams();
    const st = q.status ?? status;
    const k = "kind" in q ? q.kind : kind;
    if (st !== "open") s.set("status", st);
    if (k) s.set("kind", k);
    return s.size ? `/alerts?${s}` : "/alerts";
  };
  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
        <LiveRefresh intervalMs={2000} />
      </div>
      <nav aria-label="Alert filters" className="tabs">
        <ul>
          {Object.entries(STATUSES).map(([s, label]) => (
            <li key={s}>
              <Link href={href({ status: s })} aria-current={s === status ? "page" : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
        <ul>
          <li>
            <Link href={href({ kind: undefined })} aria-current={!kind ? "page" : undefined}>
              Every kind
            </Link>
          </li>
          {Object.entries(ALERT_LABELS).map(([k, { label }]) => (
            <li key={k}>
              <Link href={href({ kind: k })} aria-current={k === kind ? "page" : undefined}>
                {label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {!alerts.ok ? (
        <ApiFailureNotice failure={alerts.failure} />
      ) : alerts.data.items.length === 0 ? (
        <EmptyState>
          <p>
            {status === "open"
              ? "No open alerts: every node holds its lease and nothing is behind."
              : "No alerts match these filters."}
          </p>
          <p className="muted small">
            Alerts are raised for split brains and fenced writes, nodes that stop heartbeating,
            consumers past the lag threshold and failed background jobs.
          </p>
        </EmptyState>
      ) : (
        <AlertTable alerts={alerts.data.items} />
      )}
    </>
  );
}
