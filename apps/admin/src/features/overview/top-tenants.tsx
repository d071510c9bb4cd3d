import Link from "next/link";
import { formatBytes, formatNumber } from "@/lib/format";
import { type Inventory } from "@/lib/operator-types";

/** The tenants that store the most, and those with the most messages (traffic so far). */
export function TopTenants({ items }: { readonly items: readonly Inventory[] }) {
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
  const byMessages = [...items].sort((a, b) => b.messages - a.messages).slice(0, 5);
  return (
    <section className="card" aria-labelledby="top-title">
      <h2 id="top-title">Top tenants</h2>
      <div className="grid grid-tight">
        <Ranking
          title="By bytes stored"
          rows={items.slice(0, 5)}
          value={(i) => formatBytes(i.bytes)}
        />
        <Ranking title="By messages" rows={byMessages} value={(i) => formatNumber(i.messages)} />
      </div>
    </section>
  );
}

function Ranking({
  title,
  rows,
  value,
}: {
  readonly title: string;
  readonly rows: readonly Inventory[];
  readonly value: (i: Inventory) => string;
}) {
  return (
    <table className="table table-compact">
      <caption>{title}</caption>
      <tbody>
        {rows.map((i) => (
          <tr key={i.tenant.id}>
            <th scope="row">
              <Link href={`/tenants/${encodeURIComponent(i.tenant.id)}`}>{i.tenant.name}</Link>
            </th>
            <td className="num">{value(i)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
