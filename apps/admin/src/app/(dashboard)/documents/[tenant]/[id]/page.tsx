import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { Breadcrumb } from "@/components/breadcrumb";
import { DateTime } from "@/components/date-time";
import { load } from "@/lib/admin-api";
import { formatBytes, formatNumber } from "@/lib/format";

export const metadata: Metadata = { title: "Document" };

/** One document: size, heads, change rows waiting for compaction, and its content as JSON. */
export default async function DocumentPage({
  params,
}: {
  readonly params: Promise<{ tenant: string; id: string }>;
}) {
  const p = await params;
  const [tenant, id] = [decodeURIComponent(p.tenant), decodeURIComponent(p.id)];
  const doc = await load((api) => api.doc(tenant, id), { notFoundOn: [400, 404] });
  return (
    <>
      <Breadcrumb
        trail={[
          { href: "/documents", label: "Documents" },
          {
            href: `/documents?tenant=${encodeURIComponent(tenant)}`,
            label: doc.ok ? doc.data.tenant.name : tenant,
          },
        ]}
        current={<code>{id}</code>}
      />
      <h1>Document</h1>
      {!doc.ok ? (
        <ApiFailureNotice failure={doc.failure} />
      ) : (
        <>
          <p className="muted">
            {formatBytes(doc.data.bytes)} · {formatNumber(doc.data.changes)} change rows (
            {formatBytes(doc.data.change_bytes)}) since the snapshot · heads{" "}
            <code>{doc.data.heads.map((h) => h.slice(0, 8)).join(", ") || "none"}</code> · updated{" "}
            <DateTime iso={doc.data.updated_at} /> · <code>{doc.data.url}</code>
          </p>
          <section className="card" aria-labelledby="content-heading">
            <h2 id="content-heading">Content</h2>
            <pre className="value" tabIndex={0} aria-label="Document content as JSON">
              {JSON.stringify(doc.data.content, null, 2)}
            </pre>
          </section>
        </>
      )}
    </>
  );
}
