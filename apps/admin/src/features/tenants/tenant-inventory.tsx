import Link from "next/link";
import { formatBytes, formatNumber } from "@/lib/format";
import { type Inventory } from "@/lib/operator-types";

/** What the tenant stores, with links to its streams and buckets. */
export function TenantInventory({ inventory }: { readonly inventory: Inventory }) {
  const name = encodeURIComponent(inventory.tenant.name);
  return (
    <section className="card" aria-labelledby="inventory-title">
      <h2 id="inventory-title">Inventory</h2>
      <dl className="facts">
        <dt>Streams</dt>
        <dd>
          <Link href={`/streams?tenant=${name}`}>{formatNumber(inventory.streams)}</Link> ·{" "}
          {formatNumber(inventory.messages)} messages · {formatBytes(inventory.stream_bytes)}
        </dd>
        <dt>KV buckets</dt>
        <dd>
          <Link href={`/kv?tenant=${name}`}>{formatNumber(inventory.buckets)}</Link> ·{" "}
          {formatNumber(inventory.keys)} keys · {formatBytes(inventory.kv_bytes)}
        </dd>
        <dt>Documents</dt>
        <dd>
          {formatNumber(inventory.docs)} · {formatBytes(inventory.doc_bytes)}
        </dd>
        <dt>Total</dt>
        <dd>
          {formatBytes(inventory.bytes)} hot
          {inventory.tiered_bytes > 0 && ` · ${formatBytes(inventory.tiered_bytes)} tiered`}
        </dd>
      </dl>
    </section>
  );
}
