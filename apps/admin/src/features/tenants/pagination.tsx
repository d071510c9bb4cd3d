import Link from "next/link";
import { tenantListHref, type TenantListParams } from "./page-params";

/**
 * Cursor pagination: the API pages by name (`after`), so there is a way
 * forward and a way back to the start, but no page numbers.
 */
export function Pagination({
  params,
  nextAfter,
}: {
  readonly params: TenantListParams;
  readonly nextAfter: string | null;
}) {
  if (!params.after && !nextAfter) return null;
  return (
    <nav aria-label="Pagination" className="pagination">
      {params.after ? (
        <Link href={tenantListHref({ limit: params.limit })}>← First page</Link>
      ) : (
        <span />
      )}
      {params.after && (
        <span className="muted small">
          After <q>{params.after}</q>
        </span>
      )}
      {nextAfter ? (
        <Link href={tenantListHref({ after: nextAfter, limit: params.limit })} rel="next">
          Next page →
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
