/** What Next passes to a page as `searchParams` (after awaiting). */
export type SearchParams = Record<string, string | string[] | undefined>;

/** The first value of a query parameter given once, several times, or not at all. */
export function firstParam(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
