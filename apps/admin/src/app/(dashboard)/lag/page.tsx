import { type Metadata } from "next";
import Link from "next/link";
import { ApiFailureNotice } from "@/components/api-failure";
import { EmptyState } from "@/components/empty-state";
import { LiveRefresh } from "@/components/live-refresh";
import { LagTable } from "@/features/lag/lag-table";
import { streamHref } from "@/features/streams/stream-table";
import { load } from "@/lib/admin-api";
import { formatNumber } from "@/lib/format";
import { firstParam, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Lag" };

export default async function LagPage({
  searchParams,
}: {
  readonly searchParams: Promise<SearchParams>;
}) {
  const raw = Number(firstParam((await searchParams).min_lag));
  const minLag = Number.isInteger(raw) && raw > 0 ? raw : 0;
  const [lag, streams] = await Promise.all([
    load((api) => api.lag({ min_lag: minLag })),
    load((api) => api.streams({ limit: 500 })),
  ]);
  const subscriberLag = streams.ok
    ? streams.data.items
        .flatMap((s) => s.subscribers.map((x) => ({ stream: s, sub: x })))
        .filter((x) => x.sub.lag >= Math.max(1, minLag))
        .sort((a, b) => b.sub.lag - a.sub.lag)
        .slice(0, 50)
    : [];
  const threshold = lag.ok ? lag.data.threshold : undefined;
  return (
    <>
      <div className="page-head">
        <h1>Lag</h1>
        <LiveRefresh intervalMs={5000} />
      </div>
      <p className="muted">
        How far consumers and live subscribers are behind their stream&apos;s head.{" "}
        {threshold !== undefined && (
          <>
            A durable consumer <strong>{formatNumber(threshold)}</strong> or more messages behind
            raises a <Link href="/alerts?kind=lag">lag alert</Link> (set with{" "}
            <code>STRATA_LAG_ALERT_MESSAGES</code> on the API nodes).
          </>
        )}
      </p>
      <form method="get" className="inline-form filter-form" aria-label="Filter by lag">
        <div className="field">
          <label htmlFor="min-lag">At least this far behind</label>
          <input id="min-lag" name="min_lag" type="number" min={0} defaultValue={minLag || ""} />
        </div>
        <div className="filter-actions">
          <button type="submit" className="button">
            Filter
          </button>
          {threshold !== undefined && (
            <Link href={`/lag?min_lag=${threshold}`} className="button button-quiet">
              Only over the threshold
            </Link>
          )}
        </div>
      </form>
      <section aria-labelledby="consumers-title">
        <h2 id="consumers-title">Durable consumers</h2>
        {!lag.ok ? (
          <ApiFailureNotice failure={lag.failure} />
        ) : lag.data.items.length === 0 ? (
          <EmptyState>
            <p>
              {minLag > 0
                ? `No consumer is ${formatNumber(minLag)} or more messages behind.`
                : "No durable consumers yet: nothing can fall behind."}
            </p>
          </EmptyState>
        ) : (
          <LagTable rows={lag.data.items} threshold={threshold} />
        )}
      </section>
      <section aria-labelledby="subscribers-title">
        <h2 id="subscribers-title">Live subscribers</h2>
        {!streams.ok ? (
          <ApiFailureNotice failure={streams.failure} />
        ) : subscriberLag.length === 0 ? (
          <p className="muted">No live subscriber is behind.</p>
        ) : (
          <table className="table">
            <caption className="visually-hidden">Live subscribers by lag</caption>
            <thead>
              <tr>
                <th scope="col">Stream</th>
                <th scope="col">Node</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Lag
                </th>
              </tr>
            </thead>
            <tbody>
              {subscriberLag.map(({ stream, sub }, i) => (
                <tr key={`${stream.id}-${sub.node_id}-${i}`}>
                  <th scope="row">
                    <Link href={streamHref(stream.tenant.name, stream.name)}>{stream.name}</Link>
                  </th>
                  <td>
                    <code>{sub.node_id}</code>
                  </td>
                  <td>{sub.state}</td>
                  <td className="num">{formatNumber(sub.lag)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
