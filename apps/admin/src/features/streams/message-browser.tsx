import Link from "next/link";
import { DateTime } from "@/components/date-time";
import { formatBytes } from "@/lib/format";
import { type StreamMessage } from "@/lib/operator-types";
import { renderValue, type ValueView, VIEWS } from "./value-view";

export interface BrowseParams {
  readonly fromSeq: number;
  readonly limit: number;
  readonly view: ValueView;
}

/**
 * Messages from a seq, a page at a time, each value as text, JSON or hex.
 * The form is a plain GET, so the range and view are in the URL.
 */
export function MessageBrowser({
  href,
  params,
  messages,
  nextSeq,
  firstSeq,
  lastSeq,
}: {
  readonly href: string;
  readonly params: BrowseParams;
  readonly messages: readonly StreamMessage[];
  readonly nextSeq: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
}) {
  const link = (fromSeq: number) =>
    `${href}?${new URLSearchParams({ from_seq: String(fromSeq), limit: String(params.limit), view: params.view })}#messages`;
  const earlier = Math.max(firstSeq, params.fromSeq - params.limit);
  return (
    <section aria-labelledby="messages-title" id="messages" className="stack">
      <h2 id="messages-title">Messages</h2>
      <form
        method="get"
        action={`${href}#messages`}
        className="inline-form filter-form"
        aria-label="Message range"
      >
        <div className="field">
          <label htmlFor="from-seq">From seq</label>
          <input
            id="from-seq"
            name="from_seq"
            type="number"
            min={1}
            defaultValue={params.fromSeq}
          />
        </div>
        <div className="field">
          <label htmlFor="limit">How many</label>
          <input
            id="limit"
            name="limit"
            type="number"
            min={1}
            max={500}
            defaultValue={params.limit}
          />
        </div>
        <fieldset className="field segmented">
          <legend>Show values as</legend>
          {VIEWS.map((v) => (
            <label key={v}>
              <input type="radio" name="view" value={v} defaultChecked={params.view === v} /> {v}
            </label>
          ))}
        </fieldset>
        <div className="filter-actions">
          <button type="submit" className="button">
            Show
          </button>
        </div>
      </form>
      {messages.length === 0 ? (
        <p className="empty" role="status">
          {lastSeq < params.fromSeq
            ? `No messages from seq ${params.fromSeq}: the last seq is ${lastSeq}.`
            : `No messages from seq ${params.fromSeq}; they may have been deleted or purged (the first seq is ${firstSeq}).`}
        </p>
      ) : (
        <ol className="messages" aria-label={`Messages from seq ${params.fromSeq}`}>
          {messages.map((m) => {
            const value = renderValue(m.value_base64, params.view);
            return (
              <li key={m.seq} className="message" data-seq={m.seq}>
                <div className="message-head">
                  <strong>#{m.seq}</strong> <DateTime iso={m.ts} seconds />
                  <span className="muted small"> · {formatBytes(value.bytes)}</span>
                  {m.msg_id && (
                    <span className="muted small">
                      {" "}
                      · msg id <code>{m.msg_id}</code>
                    </span>
                  )}
                </div>
                {Object.keys(m.headers).length > 0 && (
                  <ul className="chips" aria-label="Headers">
                    {Object.entries(m.headers).map(([k, v]) => (
                      <li key={k}>
                        <code>
                          {k}: {v}
                        </code>
                      </li>
                    ))}
                  </ul>
                )}
                {value.note && <p className="muted small">{value.note}</p>}
                <pre className="value" tabIndex={0} aria-label={`Value of message ${m.seq}`}>
                  {value.text}
                </pre>
                {value.truncated && <p className="muted small">First 4 KiB shown.</p>}
              </li>
            );
          })}
        </ol>
      )}
      <nav aria-label="Message pages" className="pagination">
        {params.fromSeq > firstSeq ? <Link href={link(earlier)}>← Earlier</Link> : <span />}
        {nextSeq <= lastSeq ? (
          <Link href={link(nextSeq)} rel="next">
            Later →
          </Link>
        ) : (
          <span className="muted small">End of stream</span>
        )}
      </nav>
    </section>
  );
}
