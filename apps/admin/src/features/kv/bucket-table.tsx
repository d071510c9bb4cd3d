import Link from "next/link";
import { DataTable } from "@/components/data-table";
import { formatBytes, formatNumber } from "@/lib/format";
import { type Bucket } from "@/lib/operator-types";

export const bucketHref = (tenant: string, bucket: string) =>
  `/kv/${encodeURIComponent(tenant)}/${encodeURIComponent(bucket)}`;

export function BucketTable({ buckets }: { readonly buckets: readonly Bucket[] }) {
  return (
    <DataTable
      caption="KV buckets"
      rows={buckets}
      rowKey={(b) => `${b.tenant.id}/${b.name}`}
      columns={[
        {
          header: "Bucket",
          cell: (b) => <Link href={bucketHref(b.tenant.name, b.name)}>{b.name}</Link>,
        },
        {
          header: "Tenant",
          cell: (b) => (
            <Link href={`/kv?tenant=${encodeURIComponent(b.tenant.name)}`}>{b.tenant.name}</Link>
          ),
        },
        { header: "Mode", cell: (b) => b.mode },
        { header: "Keys", numeric: true, cell: (b) => formatNumber(b.keys) },
        { header: "Bytes", numeric: true, cell: (b) => formatBytes(b.bytes) },
        { header: "Revision", numeric: true, cell: (b) => formatNumber(b.last_revision) },
        { header: "History kept", numeric: true, cell: (b) => b.history },
      ]}
    />
  );
}
