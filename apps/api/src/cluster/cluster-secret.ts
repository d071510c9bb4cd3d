import { createHmac, timingSafeEqual } from "node:crypto";

export const CLUSTER_SECRET_HEADER = "x-strata-cluster-secret";
/** Injection token of the cluster secret. */
export const CLUSTER_SECRET = Symbol("ClusterSecret");

/**
 * The secret nodes use between themselves: STRATA_CLUSTER_SECRET, else one
 * derived from the operator token, which every node of a cluster shares.
 */
export function clusterSecret(configured: string | undefined, adminToken: string): string {
  return (
    configured ??
    createHmac("sha256", adminToken).update("strata internal cluster channel").digest("base64url")
  );
}

export function sameSecret(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
