import Link from "next/link";
import { streamHref } from "@/features/streams/stream-table";
import { formatNumber } from "@/lib/format";
import { type LagRow } from "@/lib/operator-types";

/** Durable consumers, most behind first, each against the alert threshold. */
export function LagTable({
  rows,
  threshold,
}: {
  readonly rows: readonly LagRow[];
  readonly threshold?: number;
}) {
  const max = Math.max(1, threshold ?? 0, ...rows.map((r) => r.lag));
  return (
    <table className="table">
      <caption className="visually-hidden">Consumers by lag</caption>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Consumer</th>
          <th scope="col">Stream</th>
          <th scope="col">Tenant</th>
          <th scope="col" className="num">
            Acked / head
          </th>
          <th scope="col" className="num">
            Lag
          </th>
          <th scope="col">Against threshold</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => {
          const over = threshold !== undefined && r.lag >= threshold;
          return (
            <tr key={`${r.tenant.id}/${r.stream}/${r.consumer}`}>
              <td>{i + 1}</td>
              <th scope="row">{r.consumer}</th>
              <td>
                <Link href={streamHref(r.tenant.name, r.stream)}>{r.stream}</Link>
              </td>
              <td>{r.tenant.name}</td>
              <td className="num">
                {formatNumber(r.acked_seq)} / {formatNumber(r.head)}
              </td>
              <td className={`num ${over ? "text-bad" : r.lag > 0 ? "text-warn" : ""}`}>
                {formatNumber(r.lag)}
                {over && <span className="badge badge-bad">over</span>}
              </td>
              <td>
                <span
                  className="bar-track"
                  role="img"
                  aria-label={`${formatNumber(r.lag)} of ${formatNumber(threshold ?? 0)}`}
                >
                  <span
                    className={`bar-fill ${over ? "bar-hot" : "bar-ok"}`}
                    style={{ width: `${(r.lag / max) * 100}%` }}
                  />
                  {threshold !== undefined && (
                    <span
                      className="bar-even"
                      style={{ left: `${(threshold / max) * 100}%` }}
                      aria-hidden="true"
                    />
                  )}
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
