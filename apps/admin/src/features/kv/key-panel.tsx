import { renderValue } from "@/features/streams/value-view";
import { formatBytes } from "@/lib/format";
import { type KvEntryView } from "@/lib/operator-types";

/** One key: its value now (as JSON when it parses, else text) and the revisions kept. */
export function KeyPanel({ view }: { readonly view: KvEntryView }) {
  const value = view.entry ? renderValue(view.entry.value_base64, "json") : null;
  return (
    <section className="card" aria-labelledby="key-title">
      <h2 id="key-title">
        <code>{view.key}</code>
      </h2>
      {view.entry && value ? (
        <>
          <p className="muted small">
            revision {view.entry.revision} · created at revision {view.entry.create_revision} ·{" "}
            {formatBytes(value.bytes)}
            {view.entry.expires_at ? ` · expires ${view.entry.expires_at}` : ""}
          </p>
          <pre className="value" tabIndex={0} aria-label="Value">
            {value.text}
          </pre>
        </>
      ) : (
        <p className="muted">This key has no value now (deleted, expired or never written).</p>
      )}
      <h3>History</h3>
      {view.history.length === 0 ? (
        <p className="muted small">
          No revisions kept (the bucket keeps history only when configured to).
        </p>
      ) : (
        <table className="table table-compact">
          <caption className="visually-hidden">Revisions of {view.key}, newest first</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                Revision
              </th>
              <th scope="col">Change</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {view.history.map((h) => (
              <tr key={h.revision}>
                <td className="num">{h.revision}</td>
                <td>{h.op}</td>
                <td>
                  {h.value_base64 === null ? (
                    <span className="muted">—</span>
                  ) : (
                    <code>{renderValue(h.value_base64, "text").text.slice(0, 200)}</code>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
