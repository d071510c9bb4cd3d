import Link from "next/link";
import { DataTable } from "@/components/data-table";
import { OwnerCell } from "@/components/owner-cell";
import { formatBytes, formatNumber } from "@/lib/format";
import { type StreamRow } from "@/lib/operator-types";

export const streamHref = (tenant: string, name: string) =>
  `/streams/${encodeURIComponent(tenant)}/${encodeURIComponent(name)}`;

export function StreamTable({ streams }: { readonly streams: readonly StreamRow[] }) {
  // The tier column only once the API reports tiers (tiering is a later capability).
  const tiers = streams.some((s) => s.tiers);
  return (
    <DataTable
      caption="Streams"
      rows={streams}
      rowKey={(s) => s.id}
      columns={[
        {
          header: "Stream",
          cell: (s) => <Link href={streamHref(s.tenant.name, s.name)}>{s.name}</Link>,
        },
        {
          header: "Tenant",
          cell: (s) => (
            <Link href={`/streams?tenant=${encodeURIComponent(s.tenant.name)}`}>
              {s.tenant.name}
            </Link>
          ),
        },
        {
          header: "Messages",
          numeric: true,
          cell: (s) => (s.messages === undefined ? "—" : formatNumber(s.messages)),
        },
        {
          header: "Bytes",
          numeric: true,
          cell: (s) => (s.bytes === undefined ? "—" : formatBytes(s.bytes)),
        },
        { header: "Last seq", numeric: true, cell: (s) => formatNumber(s.head) },
        tiers && {
          header: "Hot / cold",
          tone: () => "small",
          cell: (s) =>
            s.tiers
              ? `${formatNumber(s.tiers.hot.messages)} / ${formatNumber(s.tiers.cold.messages)} msgs`
              : "—",
        },
        {
          header: "Owner (epoch)",
          cell: (s) => <OwnerCell owner={s.owner} />,
        },
        {
          header: "Max lag",
          numeric: true,
          tone: (s) => (s.max_lag > 0 ? "text-warn" : undefined),
          cell: (s) => formatNumber(s.max_lag),
        },
      ]}
    />
  );
}
