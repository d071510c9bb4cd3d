import { DateTime } from "@/components/date-time";
import { formatBytes, formatNumber } from "@/lib/format";
import { type DocRow } from "@/lib/operator-types";

const tierOf = (d: DocRow) => d.tier ?? d.snapshot_tier ?? undefined;

const tenantName = (d: DocRow) =>
  typeof d.tenant === "string" ? d.tenant : (d.tenant?.name ?? d.tenant_id ?? "—");

/**
 * Documents with their size, heads, and how much is still change rows versus
 * folded into a snapshot (what compaction has left to do). Fields the API
 * does not send show as "—".
 */
export function DocTable({ docs }: { readonly docs: readonly DocRow[] }) {
  const tiers = docs.some((d) => typeof tierOf(d) === "string");
  return (
    <table className="table">
      <caption className="visually-hidden">Documents</caption>
      <thead>
        <tr>
          <th scope="col">Document</th>
          <th scope="col">Tenant</th>
          <th scope="col" className="num">
            Size
          </th>
          <th scope="col">Changes vs snapshot</th>
          <th scope="col">Heads</th>
          <th scope="col">Owner</th>
          {tiers && <th scope="col">Tier</th>}
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {docs.map((d, i) => (
          <tr key={String(d.id ?? d.document_id ?? i)}>
            <th scope="row">
              <code title={d.url}>{d.document_id ?? String(d.id ?? "?")}</code>
            </th>
            <td>{tenantName(d)}</td>
            <td className="num">{typeof d.bytes === "number" ? formatBytes(d.bytes) : "—"}</td>
            <td className="small">
              {typeof d.changes === "number" ? (
                <>
                  {formatNumber(d.changes)} change rows
                  {typeof d.change_bytes === "number" && ` (${formatBytes(d.change_bytes)})`}
                  {typeof d.snapshots === "number" && (
                    <>
                      {" "}
                      · {formatNumber(d.snapshots)} snapshot{d.snapshots === 1 ? "" : "s"}
                      {typeof d.snapshot_bytes === "number" &&
                        ` (${formatBytes(d.snapshot_bytes)})`}
                    </>
                  )}
                </>
              ) : (
                "—"
              )}
            </td>
            <td>
              {d.heads?.length ? (
                <code title={d.heads.join(", ")}>
                  {d.heads.map((h) => h.slice(0, 8)).join(", ")}
                </code>
              ) : (
                <span className="muted">none</span>
              )}
            </td>
            <td>
              {d.owner ? (
                <>
                  <code>{d.owner.node_id}</code> ({d.owner.epoch})
                </>
              ) : (
                <span className="muted">unowned</span>
              )}
            </td>
            {tiers && <td>{tierOf(d) ?? "—"}</td>}
            <td>{d.updated_at ? <DateTime iso={d.updated_at} /> : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
