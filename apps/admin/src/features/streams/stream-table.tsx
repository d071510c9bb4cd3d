import Link from "next/link";
import { formatBytes, formatNumber } from "@/lib/format";
import { type StreamRow } from "@/lib/operator-types";

export const streamHref = (tenant: string, name: string) =>
  `/streams/${encodeURIComponent(tenant)}/${encodeURIComponent(name)}`;

export function StreamTable({ streams }: { readonly streams: readonly StreamRow[] }) {
  // The tier column only once the API reports tiers (tiering is a later capability).
  const tiers = streams.some((s) => s.tiers);
  return (
    <table className="table">
      <caption className="visually-hidden">Streams</caption>
      <thead>
        <tr>
          <th scope="col">Stream</th>
          <th scope="col">Tenant</th>
          <th scope="col" className="num">
            Messages
          </th>
          <th scope="col" className="num">
            Bytes
          </th>
          <th scope="col" className="num">
            Last seq
          </th>
          {tiers && <th scope="col">Hot / cold</th>}
          <th scope="col">Owner (epoch)</th>
          <th scope="col" className="num">
            Max lag
          </th>
        </tr>
      </thead>
      <tbody>
        {streams.map((s) => (
          <tr key={s.id}>
            <th scope="row">
              <Link href={streamHref(s.tenant.name, s.name)}>{s.name}</Link>
            </th>
            <td>
              <Link href={`/streams?tenant=${encodeURIComponent(s.tenant.name)}`}>
                {s.tenant.name}
              </Link>
            </td>
            <td className="num">{s.messages === undefined ? "—" : formatNumber(s.messages)}</td>
            <td className="num">{s.bytes === undefined ? "—" : formatBytes(s.bytes)}</td>
            <td className="num">{formatNumber(s.head)}</td>
            {tiers && (
              <td className="small">
                {s.tiers
                  ? `${formatNumber(s.tiers.hot.messages)} / ${formatNumber(s.tiers.cold.messages)} msgs`
                  : "—"}
              </td>
            )}
            <td>
              {s.owner ? (
                <>
                  <code>{s.owner.node_id}</code> ({s.owner.epoch})
                </>
              ) : (
                <span className="muted">unowned</span>
              )}
            </td>
            <td className={`num ${s.max_lag > 0 ? "text-warn" : ""}`}>{formatNumber(s.max_lag)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
