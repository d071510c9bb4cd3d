import Link from "next/link";
import { DataTable } from "@/components/data-table";
import { OwnerCell } from "@/components/owner-cell";
import { DateTime } from "@/components/date-time";
import { formatBytes, formatNumber } from "@/lib/format";
import { type DocRow } from "@/lib/operator-types";
import { docTier } from "./doc-tier";

/** The document's page: its facts and its content as JSON. */
export const docHref = (tenant: string, id: string) =>
  `/documents/${encodeURIComponent(tenant)}/${encodeURIComponent(id)}`;

const tenantName = (d: DocRow) =>
  typeof d.tenant === "string" ? d.tenant : (d.tenant?.name ?? d.tenant_id ?? "—");

/**
 * Documents with their size, heads, and how much is still change rows versus
 * folded into a snapshot (what compaction has left to do), and the
 * snapshot's tier. Fields the API does not send show as "—".
 */
export function DocTable({ docs }: { readonly docs: readonly DocRow[] }) {
  return (
    <DataTable
      caption="Documents"
      rows={docs}
      rowKey={(d) => String(d.id ?? d.document_id)}
      columns={[
        {
          header: "Document",
          cell: (d) => {
            const id = <code title={d.url}>{d.document_id ?? String(d.id ?? "?")}</code>;
            const tenant = d.tenant_id ?? (typeof d.tenant === "object" ? d.tenant.id : undefined);
            return d.document_id && tenant ? (
              <Link href={docHref(tenant, d.document_id)}>{id}</Link>
            ) : (
              id
            );
          },
        },
        { header: "Tenant", cell: tenantName },
        {
          header: "Size",
          numeric: true,
          cell: (d) => (typeof d.bytes === "number" ? formatBytes(d.bytes) : "—"),
        },
        { header: "Changes since snapshot", tone: () => "small", cell: changesCell },
        { header: "Snapshot", tone: () => "small", cell: snapshotCell },
        { header: "Tier", cell: tierCell },
        {
          header: "Heads",
          cell: (d) =>
            d.heads?.length ? (
              <code title={d.heads.join(", ")}>{d.heads.map((h) => h.slice(0, 8)).join(", ")}</code>
            ) : (
              <span className="muted">none</span>
            ),
        },
        {
          header: "Owner",
          cell: (d) => <OwnerCell owner={d.owner} />,
        },
        { header: "Updated", cell: (d) => (d.updated_at ? <DateTime iso={d.updated_at} /> : "—") },
      ]}
    />
  );
}

function changesCell(d: DocRow) {
  if (typeof d.changes !== "number") return "—";
  return (
    <>
      {formatNumber(d.changes)} change{d.changes === 1 ? "" : "s"}
      {typeof d.change_bytes === "number" && ` (${formatBytes(d.change_bytes)})`}
    </>
  );
}

function snapshotCell(d: DocRow) {
  if (typeof d.snapshots !== "number") return "—";
  if (d.snapshots === 0) return <span className="muted">none yet</span>;
  return (
    <>
      {typeof d.snapshot_bytes === "number" ? formatBytes(d.snapshot_bytes) : "—"}
      {d.snapshots > 1 && <span className="muted"> ({formatNumber(d.snapshots)} kept)</span>}
    </>
  );
}

function tierCell(d: DocRow) {
  const t = docTier(d);
  if (!t) return "—";
  return (
    <>
      <span className={`badge ${t.tier === "cold" ? "badge-ok" : ""}`} data-tier={t.tier}>
        {t.tier}
      </span>
      {t.note && <span className="muted small"> {t.note}</span>}
    </>
  );
}
