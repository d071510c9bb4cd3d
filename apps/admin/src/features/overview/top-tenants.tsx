import Link from "next/link";
import { type ReactNode } from "react";
import { type Column, DataTable } from "@/components/data-table";
import { type Loaded } from "@/lib/admin-api";
import { formatBytes, formatNumber, formatRate } from "@/lib/format";
import {
  type Inventory,
  type TenantTraffic,
  type TenantTrafficRow,
  type TrafficCounts,
} from "@/lib/operator-types";

const TOP = 5;

type Named = { readonly tenant: { readonly id: string; readonly name: string } };

const tenantColumn: Column<Named> = {
  header: "Tenant",
  cell: (i) => <Link href={`/tenants/${encodeURIComponent(i.tenant.id)}`}>{i.tenant.name}</Link>,
};

/**
 * The busiest tenants over the last minute (operations and bytes written,
 * summed over the nodes) and those that store the most. Traffic counts what
 * the nodes admitted since they started, so it is empty right after a restart.
 */
export function TopTenants({
  items,
  traffic,
}: {
  readonly items: readonly Inventory[];
  readonly traffic: Loaded<TenantTraffic>;
}) {
  if (items.length === 0) {
    return (
      <section className="card" aria-labelledby="top-title">
        <h2 id="top-title">Top tenants</h2>
        <p className="muted">
          No tenants yet. <Link href="/tenants">Create one</Link> and give it a key.
        </p>
      </section>
    );
  }
  const busy = traffic.ok ? traffic.data.items : [];
  const byBytesWritten = [...busy]
    .filter((t) => t.totals.bytes_written > 0)
    .sort(
      (a, b) =>
        b.recent.bytes_written - a.recent.bytes_written ||
        b.totals.bytes_written - a.totals.bytes_written,
    );
  return (
    <section className="card" aria-labelledby="top-title">
      <h2 id="top-title">Top tenants</h2>
      <div className="grid grid-tight">
        {traffic.ok ? (
          <>
            <Ranking<TenantTrafficRow>
              caption="By traffic"
              header="Ops/s"
              rows={busy.slice(0, TOP)}
              value={(t) => (
                <span title={breakdown(t)}>
                  {formatRate(t.ops_per_second)}
                  {ops(t.recent) === 0 && (
                    <span className="muted"> · {formatNumber(ops(t.totals))} total</span>
                  )}
                </span>
              )}
            />
            <Ranking<TenantTrafficRow>
              caption="By bytes written"
              header="Written/s"
              rows={byBytesWritten.slice(0, TOP)}
              value={(t) => (
                <span title={`${formatBytes(t.totals.bytes_written)} since the nodes started`}>
                  {formatBytes(t.bytes_per_second)}/s
                </span>
              )}
            />
          </>
        ) : (
          <p className="muted small" role="status">
            Traffic per tenant is not available: {traffic.failure.message}
          </p>
        )}
        <Ranking<Inventory>
          caption="By bytes stored"
          header="Stored"
          rows={items.slice(0, TOP)}
          value={(i) => formatBytes(i.bytes)}
        />
      </div>
      {traffic.ok && traffic.data.unreachable_nodes.length > 0 && (
        <p className="muted small" role="status">
          Traffic leaves out unreachable nodes: {traffic.data.unreachable_nodes.join(", ")}.
        </p>
      )}
    </section>
  );
}

const ops = (c: TrafficCounts) => c.messages_appended + c.kv_writes + c.doc_changes;

function breakdown(t: TenantTrafficRow): string {
  const r = t.recent;
  return (
    `Last minute: ${formatNumber(r.messages_appended)} messages appended, ` +
    `${formatNumber(r.kv_writes)} KV writes, ${formatNumber(r.doc_changes)} document changes. ` +
    `Since the nodes started: ${formatNumber(ops(t.totals))} operations.`
  );
}

function Ranking<T extends Named>({
  caption,
  header,
  rows,
  value,
}: {
  readonly caption: string;
  readonly header: string;
  readonly rows: readonly T[];
  readonly value: (row: T) => ReactNode;
}) {
  return (
    <DataTable<T>
      caption={caption}
      showCaption
      compact
      rows={rows}
      rowKey={(r) => r.tenant.id}
      columns={[tenantColumn, { header, numeric: true, cell: value }]}
      empty={<p className="muted small">{caption}: nothing yet.</p>}
    />
  );
}
