import { type KvEntry } from "../kv/kv.js";
import { type BucketMirror, byCodePoint } from "./bucket-mirror.js";

/** A page of a crdt bucket's live keys, in the order standard buckets list theirs. */
export function listKeys(
  m: BucketMirror,
  q: { prefix?: string; after?: string; limit: number; keys_only?: boolean },
): KvEntry[] {
  const keys = m.keys();
  const prefix = q.prefix ?? "";
  const from = q.after !== undefined && byCodePoint(q.after, prefix) >= 0 ? q.after : prefix;
  const inclusive = from !== q.after;
  // First key ≥ from (> from after a cursor): binary search, keys are sorted.
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = byCodePoint(keys[mid]!, from);
    if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
    else hi = mid;
  }
  const revision = m.revision;
  const page: KvEntry[] = [];
  for (let i = lo; i < keys.length && page.length < q.limit; i++) {
    const key = keys[i]!;
    if (!key.startsWith(prefix)) break;
    const value = m.get(key);
    if (value === undefined) continue;
    page.push({
      key,
      value: q.keys_only ? new Uint8Array() : value,
      revision,
      createRevision: revision,
      expiresAt: null,
    });
  }
  return page;
}
