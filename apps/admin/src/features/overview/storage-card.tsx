import { formatBytes, formatNumber } from "@/lib/format";
import { type InventoryPage } from "@/lib/operator-types";

/** Bytes by tier: PostgreSQL (hot) and the object store (tiered segments). */
export function StorageCard({ inventory }: { readonly inventory: InventoryPage }) {
  const { totals } = inventory;
  const all = totals.hot_bytes + totals.tiered_bytes;
  const hotShare = all > 0 ? Math.round((totals.hot_bytes / all) * 100) : 100;
  return (
    <section className="card" aria-labelledby="storage-title">
      <h2 id="storage-title">Storage</h2>
      <dl className="facts">
        <dt>Hot (PostgreSQL)</dt>
        <dd>{formatBytes(totals.hot_bytes)}</dd>
        <dt>Tiered (object store)</dt>
        <dd>
          {totals.tiered_bytes > 0 ? (
            formatBytes(totals.tiered_bytes)
          ) : (
            <span className="muted">nothing tiered yet</span>
          )}
        </dd>
        <dt>Streams</dt>
        <dd>
          {formatNumber(totals.streams)} ({formatNumber(totals.messages)} messages)
        </dd>
        <dt>KV buckets</dt>
        <dd>
          {formatNumber(totals.buckets)} ({formatNumber(totals.keys)} keys)
        </dd>
        <dt>Documents</dt>
        <dd>{formatNumber(totals.docs)}</dd>
      </dl>
      <div
        className="meter"
        role="img"
        aria-label={`${hotShare}% of bytes hot, ${100 - hotShare}% tiered`}
      >
        <span className="meter-hot" style={{ width: `${hotShare}%` }} />
      </div>
    </section>
  );
}
