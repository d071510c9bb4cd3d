import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { DataTable } from "@/components/data-table";
import { DateTime } from "@/components/date-time";
import { LiveRefresh } from "@/components/live-refresh";
import { RetryButton } from "@/features/jobs/retry-button";
import { load } from "@/lib/admin-api";
import { formatMs, formatNumber } from "@/lib/format";

export const metadata: Metadata = { title: "Jobs" };

const PURPOSE: Record<string, string> = {
  "heartbeat-monitor": "marks silent nodes dead, expires their leases, raises node and lag alerts",
  retention: "applies stream limits and KV TTLs",
  compaction: "folds document changes into snapshots, prunes KV history",
  tiering: "moves sealed stream segments and idle documents to the object store",
};

export default async function JobsPage() {
  const jobs = await load((api) => api.jobs());
  const failures = jobs.ok
    ? jobs.data.items.flatMap((q) => q.recent_failures.map((f) => ({ queue: q.name, ...f })))
    : [];
  return (
    <>
      <div className="page-head">
        <h1>Background jobs</h1>
        <LiveRefresh intervalMs={5000} />
      </div>
      {!jobs.ok ? (
        <ApiFailureNotice failure={jobs.failure} />
      ) : (
        <>
          <DataTable
            caption="Queues"
            rows={jobs.data.items}
            rowKey={(q) => q.name}
            columns={[
              {
                header: "Queue",
                cell: (q) => (
                  <>
                    {q.name}
                    <div className="muted small">{PURPOSE[q.name] ?? ""}</div>
                  </>
                ),
              },
              { header: "Waiting", numeric: true, cell: (q) => formatNumber(q.waiting) },
              { header: "Active", numeric: true, cell: (q) => formatNumber(q.active) },
              {
                header: "Failed",
                numeric: true,
                tone: (q) => (q.failed > 0 ? "text-bad" : undefined),
                cell: (q) => formatNumber(q.failed),
              },
              { header: "Completed", numeric: true, cell: (q) => formatNumber(q.completed) },
              {
                header: "Schedule",
                cell: (q) =>
                  q.every_ms ? (
                    `every ${formatMs(q.every_ms)}`
                  ) : (
                    <span className="muted">on demand</span>
                  ),
              },
            ]}
          />
          <section aria-labelledby="failures-title">
            <h2 id="failures-title">Recent failures</h2>
            <DataTable
              caption="Recent failures"
              rows={failures}
              rowKey={(f) => `${f.queue}/${f.id}`}
              empty={
                <p>
                  No recent failures. Failed jobs show here with their error, and can be retried
                  once the cause is fixed (jobs are idempotent).
                </p>
              }
              columns={[
                { header: "Queue", cell: (f) => f.queue },
                { header: "Job", cell: (f) => <code>{f.id}</code> },
                { header: "When", cell: (f) => <DateTime iso={f.at} seconds /> },
                {
                  header: "Error",
                  cell: (f) => <pre className="value value-small">{f.error}</pre>,
                },
                {
                  header: "Actions",
                  headerHidden: true,
                  cell: (f) => <RetryButton queue={f.queue} id={f.id} />,
                },
              ]}
            />
          </section>
        </>
      )}
    </>
  );
}
