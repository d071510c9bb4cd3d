import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { Breadcrumb } from "@/components/breadcrumb";
import { bucketHref } from "@/features/kv/bucket-table";
import { KeyBrowser } from "@/features/kv/key-browser";
import { KeyPanel } from "@/features/kv/key-panel";
import { KvWatch } from "@/features/kv/kv-watch";
import { load } from "@/lib/admin-api";
import { formatBytes, formatNumber } from "@/lib/format";
import { firstParam, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "KV bucket" };

export default async function BucketPage({
  params,
  searchParams,
}: {
  readonly params: Promise<{ tenant: string; bucket: string }>;
  readonly searchParams: Promise<SearchParams>;
}) {
  const p = await params;
  const [tenant, name] = [decodeURIComponent(p.tenant), decodeURIComponent(p.bucket)];
  const q = await searchParams;
  const browse = {
    prefix: firstParam(q.prefix) || undefined,
    after: firstParam(q.after) || undefined,
    key: firstParam(q.key) || undefined,
  };
  const [bucket, keys, entry] = await Promise.all([
    load((api) => api.bucket(tenant, name), { notFoundOn: [400, 404] }),
    load((api) =>
      api.kvKeys(tenant, name, { prefix: browse.prefix, after: browse.after, limit: 50 }),
    ),
    browse.key ? load((api) => api.kvEntry(tenant, name, browse.key!)) : Promise.resolve(null),
  ]);
  const base = bucketHref(tenant, name);
  return (
    <>
      <Breadcrumb
        trail={[
          { href: "/kv", label: "KV" },
          { href: `/kv?tenant=${encodeURIComponent(tenant)}`, label: tenant },
        ]}
        current={name}
      />
      <h1>{name}</h1>
      {!bucket.ok ? (
        <ApiFailureNotice failure={bucket.failure} />
      ) : (
        <p className="muted">
          {formatNumber(bucket.data.keys)} keys · {formatBytes(bucket.data.bytes)} · revision{" "}
          {formatNumber(bucket.data.last_revision)} · keeps {bucket.data.history} revision
          {bucket.data.history === 1 ? "" : "s"} per key
          {bucket.data.owner?.node_id
            ? ` · owner ${bucket.data.owner.node_id} (epoch ${bucket.data.owner.epoch})`
            : ""}
        </p>
      )}
      <div className="split">
        {keys.ok ? (
          <KeyBrowser
            base={base}
            params={browse}
            keys={keys.data.items}
            nextAfter={keys.data.next_after}
          />
        ) : (
          <ApiFailureNotice failure={keys.failure} />
        )}
        <div className="stack">
          {entry === null ? (
            <p className="empty">Choose a key to see its value and history.</p>
          ) : entry.ok ? (
            <KeyPanel view={entry.data} />
          ) : (
            <ApiFailureNotice failure={entry.failure} />
          )}
          <KvWatch tenant={tenant} bucket={name} prefix={browse.prefix} />
        </div>
      </div>
    </>
  );
}
