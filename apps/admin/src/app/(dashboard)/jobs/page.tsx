import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
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
          <table className="table">
            <caption className="visually-hidden">Queues</caption>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col" className="num">
                  Waiting
                </th>
                <th scope="col" className="num">
                  Active
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
                <th scope="col" className="num">
                  Completed
                </th>
                <th scope="col">Schedule</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.items.map((q) => (
                <tr key={q.name}>
                  <th scope="row">
                    {q.name}
                    <div className="muted small">{PURPOSE[q.name] ?? ""}</div>
                  </th>
                  <td className="num">{formatNumber(q.waiting)}</td>
                  <td className="num">{formatNumber(q.active)}</td>
                  <td className={`num ${q.failed > 0 ? "text-bad" : ""}`}>
                    {formatNumber(q.failed)}
                  </td>
                  <td className="num">{formatNumber(q.completed)}</td>
                  <td>
                    {q.every_ms ? (
                      `every ${formatMs(q.every_ms)}`
                    ) : (
                      <span className="muted">on demand</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <section aria-labelledby="failures-title">
            <h2 id="failures-title">Recent failures</h2>
            {failures.length === 0 ? (
              <p className="empty" role="status">
                No recent failures. Failed jobs show here with their error, and can be retried once
                the cause is fixed (jobs are idempotent).
              </p>
            ) : (
              <table className="table">
                <caption className="visually-hidden">Recent failures</caption>
                <thead>
                  <tr>
                    <th scope="col">Queue</th>
                    <th scope="col">Job</th>
                    <th scope="col">When</th>
                    <th scope="col">Error</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {failures.map((f) => (
                    <tr key={`${f.queue}/${f.id}`}>
                      <th scope="row">{f.queue}</th>
                      <td>
                        <code>{f.id}</code>
                      </td>
                      <td>
                        <DateTime iso={f.at} seconds />
                      </td>
                      <td>
                        <pre className="value value-small">{f.error}</pre>
                      </td>
                      <td>
                        <RetryButton queue={f.queue} id={f.id} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </>
      )}
    </>
  );
}
