import Link from "next/link";
import { type KvKey } from "@/lib/operator-types";

export interface KeyBrowserParams {
  readonly prefix?: string;
  readonly after?: string;
  readonly key?: string;
}

/** The query string for the browser; everything it shows is in the URL. */
export function keyBrowserHref(base: string, p: KeyBrowserParams): string {
  const q = new URLSearchParams();
  if (p.prefix) q.set("prefix", p.prefix);
  if (p.after) q.set("after", p.after);
  if (p.key) q.set("key", p.key);
  return q.size ? `${base}?${q}` : base;
}

/** Keys by prefix in byte order, a page at a time; a key opens its value and history. */
export function KeyBrowser({
  base,
  params,
  keys,
  nextAfter,
}: {
  readonly base: string;
  readonly params: KeyBrowserParams;
  readonly keys: readonly KvKey[];
  readonly nextAfter: string | null;
}) {
  return (
    <section aria-labelledby="keys-title" className="stack">
      <h2 id="keys-title">Keys</h2>
      <form method="get" action={base} className="inline-form filter-form" aria-label="Search keys">
        <div className="field">
          <label htmlFor="prefix">Key prefix</label>
          <input
            id="prefix"
            name="prefix"
            defaultValue={params.prefix ?? ""}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="filter-actions">
          <button type="submit" className="button">
            Search
          </button>
          <Link href={base} className="button button-quiet">
            All keys
          </Link>
        </div>
      </form>
      {keys.length === 0 ? (
        <p className="empty" role="status">
          {params.prefix ? `No keys start with “${params.prefix}”.` : "This bucket has no keys."}
        </p>
      ) : (
        <table className="table table-compact">
          <caption className="visually-hidden">Keys</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col" className="num">
                Revision
              </th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.key} aria-current={k.key === params.key ? "true" : undefined}>
                <th scope="row">
                  <Link href={keyBrowserHref(base, { ...params, key: k.key })} scroll={false}>
                    <code>{k.key}</code>
                  </Link>
                </th>
                <td className="num">{k.revision}</td>
                <td>
                  {k.expires_at ? (
                    k.expires_at.slice(0, 19).replace("T", " ")
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Key pages" className="pagination">
        {params.after ? (
          <Link href={keyBrowserHref(base, { prefix: params.prefix })}>← First page</Link>
        ) : (
          <span />
        )}
        {nextAfter ? (
          <Link href={keyBrowserHref(base, { prefix: params.prefix, after: nextAfter })} rel="next">
            Next page →
          </Link>
        ) : (
          <span />
        )}
      </nav>
    </section>
  );
}
