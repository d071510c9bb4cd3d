import { type KvOwner } from "./kv-owner.js";
import { type BucketId, type BucketRef } from "./kv.js";
import { type KvLog } from "./kv-store.js";

/**
 * Purges keys whose TTL ran out, each through the owner (an `expire` change
 * with its own revision, so watchers see it): in the buckets loaded here,
 * and with `sweep` also in buckets nobody wrote to since this node started.
 * Reads hide expired keys already; this frees their rows. Returns how many
 * keys expired. Failures are left for the next pass.
 */
export async function purgeExpired(
  owner: KvOwner,
  log: KvLog,
  options: { sweep: boolean; limit: number },
): Promise<number> {
  const refs = new Map<BucketId, BucketRef>();
  for (const ref of owner.loaded()) refs.set(ref.id, ref);
  if (options.sweep) {
    const found = await log.bucketsWithExpiredKeys(100).catch(() => []);
    for (const ref of found) if (!refs.has(ref.id)) refs.set(ref.id, ref);
  }
  let expired = 0;
  for (const ref of refs.values()) {
    const keys = await log.expiredKeys(ref.id, options.limit).catch(() => []);
    const done = await Promise.all(keys.map((key) => owner.expire(ref, key).catch(() => false)));
    expired += done.filter(Boolean).length;
  }
  return expired;
}
