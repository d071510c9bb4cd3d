import { DateTime } from "@/components/date-time";
import { formatNumber } from "@/lib/format";
import { type StreamDetail } from "@/lib/operator-types";

/** Durable consumers with how far behind the head each is, worst first. */
export function ConsumerTable({ stream }: { readonly stream: StreamDetail }) {
  if (stream.consumers.length === 0) {
    return (
      <p className="muted">
        No durable consumers. A tenant creates one with{" "}
        <code>PUT /v1/streams/{stream.name}/consumers/&#123;name&#125;</code>.
      </p>
    );
  }
  const head = stream.last_seq;
  const rows = [...stream.consumers].sort((a, b) => (b.lag ?? 0) - (a.lag ?? 0));
  return (
    <table className="table">
      <caption className="visually-hidden">Consumers</caption>
      <thead>
        <tr>
          <th scope="col">Consumer</th>
          <th scope="col" className="num">
            Acked seq
          </th>
          <th scope="col" className="num">
            Lag
          </th>
          <th scope="col">Behind</th>
          <th scope="col">Last ack</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => {
          const lag = c.lag ?? Math.max(0, head - c.acked_seq);
          const pct = head > 0 ? Math.min(100, (lag / head) * 100) : 0;
          return (
            <tr key={c.name}>
              <th scope="row">{c.name}</th>
              <td className="num">{formatNumber(c.acked_seq)}</td>
              <td className={`num ${lag > 0 ? "text-warn" : ""}`}>{formatNumber(lag)}</td>
              <td>
                <span
                  className="bar-track bar-inline"
                  role="img"
                  aria-label={`${pct.toFixed(0)}% of the stream behind`}
                >
                  <span
                    className={`bar-fill ${lag > 0 ? "bar-hot" : "bar-ok"}`}
                    style={{ width: `${pct}%` }}
                  />
                </span>
              </td>
              <td>
                <DateTime iso={c.updated_at} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
