import { type Metadata } from "next";
import { ApiFailureNotice } from "@/components/api-failure";
import { Breadcrumb } from "@/components/breadcrumb";
import { browseParams } from "@/features/streams/browse-params";
import { ConsumerTable } from "@/features/streams/consumer-table";
import { LagChart } from "@/features/streams/lag-chart";
import { MessageBrowser } from "@/features/streams/message-browser";
import { StreamActions } from "@/features/streams/stream-actions";
import { StreamFacts } from "@/features/streams/stream-facts";
import { streamHref } from "@/features/streams/stream-table";
import { load } from "@/lib/admin-api";
import { type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Stream" };

export default async function StreamPage({
  params,
  searchParams,
}: {
  readonly params: Promise<{ tenant: string; name: string }>;
  readonly searchParams: Promise<SearchParams>;
}) {
  const { tenant, name } = await params;
  const [t, n] = [decodeURIComponent(tenant), decodeURIComponent(name)];
  const stream = await load((api) => api.stream(t, n), { notFoundOn: [400, 404] });
  const browse = stream.ok ? browseParams(await searchParams, stream.data.first_seq) : null;
  const page =
    stream.ok && browse
      ? await load((api) => api.messages(t, n, { from_seq: browse.fromSeq, limit: browse.limit }))
      : null;
  return (
    <>
      <Breadcrumb
        trail={[
          { href: "/streams", label: "Streams" },
          { href: `/streams?tenant=${encodeURIComponent(t)}`, label: t },
        ]}
        current={n}
      />
      <div className="page-head">
        <h1>{n}</h1>
        {stream.ok && <StreamActions stream={stream.data} />}
      </div>
      {!stream.ok ? (
        <ApiFailureNotice failure={stream.failure} />
      ) : (
        <>
          <StreamFacts stream={stream.data} />
          <section aria-labelledby="consumers-title" className="stack">
            <h2 id="consumers-title">Consumers</h2>
            <ConsumerTable stream={stream.data} />
            {stream.data.consumers.length > 0 && <LagChart tenant={t} name={n} />}
          </section>
          {page && !page.ok ? (
            <ApiFailureNotice failure={page.failure} />
          ) : (
            page &&
            browse && (
              <MessageBrowser
                href={streamHref(t, n)}
                params={browse}
                messages={page.data.messages}
                nextSeq={page.data.next_seq}
                firstSeq={stream.data.first_seq}
                lastSeq={stream.data.last_seq}
              />
            )
          )}
        </>
      )}
    </>
  );
}
