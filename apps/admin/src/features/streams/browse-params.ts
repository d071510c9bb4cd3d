import { firstParam, type SearchParams } from "@/lib/search-params";
import { type BrowseParams } from "./message-browser";
import { type ValueView, VIEWS } from "./value-view";

/** `?from_seq=&limit=&view=`, leniently: bad values fall back to the defaults. */
export function browseParams(params: SearchParams, firstSeq: number): BrowseParams {
  const from = Number(firstParam(params.from_seq));
  const limit = Number(firstParam(params.limit));
  const view = firstParam(params.view);
  return {
    fromSeq: Number.isInteger(from) && from >= 1 ? from : Math.max(1, firstSeq),
    limit: Number.isInteger(limit) && limit >= 1 ? Math.min(limit, 500) : 20,
    view: (VIEWS as readonly string[]).includes(view ?? "") ? (view as ValueView) : "text",
  };
}
