import Link from "next/link";
import { formatBytes, formatNumber } from "@/lib/format";
import { type Bucket } from "@/lib/operator-types";

export const bucketHref = (tenant: string, bucket: string) =>
  `/kv/${encodeURIComponent(tenant)}/${encodeURIComponent(bucket)}`;

export function BucketTable({ buckets }: { readonly buckets: readonly Bucket[] }) {
  return (
    <table className="table">
      <caption className="visually-hidden">KV buckets</caption>
      <thead>
        <tr>
          <th scope="col">Bucket</th>
          <th scope="col">Tenant</th>
          <th scope="col">Mode</th>
          <th scope="col" className="num">
            Keys
          </th>
          <th scope="col" className="num">
            Bytes
          </th>
          <th scope="col" className="num">
            Revision
          </th>
          <th scope="col" className="num">
            History kept
          </th>
        </tr>
      </thead>
      <tbody>
        {buckets.map((b) => (
          <tr key={`${b.tenant.id}/${b.name}`}>
            <th scope="row">
              <Link href={bucketHref(b.tenant.name, b.name)}>{b.name}</Link>
            </th>
            <td>
              <Link href={`/kv?tenant=${encodeURIComponent(b.tenant.name)}`}>{b.tenant.name}</Link>
            </td>
            <td>{b.mode}</td>
            <td className="num">{formatNumber(b.keys)}</td>
            <td className="num">{formatBytes(b.bytes)}</td>
            <td className="num">{formatNumber(b.last_revision)}</td>
            <td className="num">{b.history}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
