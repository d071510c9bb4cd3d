import { firstParam, type SearchParams } from "@/lib/search-params";

export const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;

export interface TenantListParams {
  /** Name of the last tenant on the previous page; absent on the first page. */
  readonly after?: string;
  readonly limit: number;
}

/** Reads `?after=&limit=` leniently: a bad limit falls back to the default instead of failing. */
export function tenantListParams(params: SearchParams): TenantListParams {
  const after = firstParam(params.after) || undefined;
  const raw = Number(firstParam(params.limit));
  const limit =
    Number.isInteger(raw) && raw >= 1 ? Math.min(raw, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  return { after, limit };
}

/** The query string for a page of the list; the default limit stays out of the URL. */
export function tenantListHref(page: { after?: string | null; limit: number }): string {
  const query = new URLSearchParams();
  if (page.after) query.set("after", page.after);
  if (page.limit !== DEFAULT_PAGE_SIZE) query.set("limit", String(page.limit));
  const search = query.toString();
  return search ? `/tenants?${search}` : "/tenants";
}
