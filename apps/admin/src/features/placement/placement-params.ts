import { firstParam, type SearchParams } from "@/lib/search-params";
import { type ResourceKind } from "@/lib/operator-types";

const KINDS = ["stream", "bucket", "doc"] as const;

export interface PlacementParams {
  readonly node?: string;
  readonly tenant?: string;
  readonly kind?: ResourceKind;
}

/** `?node=&tenant=&kind=`, read leniently: an unknown kind is ignored rather than an error. */
export function placementParams(params: SearchParams): PlacementParams {
  const kind = firstParam(params.kind);
  return {
    node: firstParam(params.node)?.trim() || undefined,
    tenant: firstParam(params.tenant)?.trim() || undefined,
    kind: (KINDS as readonly string[]).includes(kind ?? "") ? (kind as ResourceKind) : undefined,
  };
}

export { KINDS };
