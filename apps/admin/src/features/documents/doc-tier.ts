import { type DocRow } from "@/lib/operator-types";

/**
 * Where a document's latest snapshot lives: `hot` in PostgreSQL, `cold` in
 * the object store; with no snapshot yet everything is change rows in
 * PostgreSQL. Undefined when the API does not say.
 */
export function docTier(d: DocRow): { tier: string; note?: string } | undefined {
  if (d.snapshots === 0 || d.snapshot_tier === null)
    return { tier: "hot", note: "no snapshot yet" };
  const tier = d.snapshot_tier ?? d.tier;
  return typeof tier === "string" ? { tier } : undefined;
}
