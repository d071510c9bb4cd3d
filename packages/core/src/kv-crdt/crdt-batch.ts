import { ValueTooLarge } from "../kv/kv.errors.js";
import { type KvBatchOutcome, type KvBatchPut, type KvEntry } from "../kv/kv.js";
import { type BucketMirror } from "./bucket-mirror.js";
import { CasUnavailableInCrdtMode, type CrdtBucket, UnavailableInCrdtMode } from "./crdt-bucket.js";

export const noTtl = (bucket: string) =>
  new UnavailableInCrdtMode(bucket, "a per-key TTL (Strata-TTL, touch, ttl_seconds)");

type Write = { readonly op: "put"; readonly key: string; readonly value: Uint8Array };

/** A batch's puts checked for a crdt bucket: each entry's refusal, or the write it becomes. */
export function checkBatchPuts(
  b: CrdtBucket,
  puts: readonly KvBatchPut[],
): (KvBatchOutcome | Write)[] {
  const max = b.config.maxValueBytes;
  return puts.map((o) => {
    if (o.compare)
      return { error: new CasUnavailableInCrdtMode(b.name, "if_revision / if_absent") };
    if (o.ttlSeconds !== undefined) return { error: noTtl(b.name) };
    if (max !== null && o.value.byteLength > max) return { error: new ValueTooLarge(max) };
    // A copy: Automerge takes plain Uint8Arrays (not Buffer views of a larger pool).
    return { op: "put", key: o.key, value: new Uint8Array(o.value) };
  });
}

/** The accepted puts as one Automerge change: they share its revision (or its failure). */
export async function writeBatchPuts(
  checked: readonly (KvBatchOutcome | Write)[],
  write: (ops: Write[]) => Promise<number>,
): Promise<KvBatchOutcome[]> {
  const writes = checked.filter((c): c is Write => "op" in c);
  if (writes.length === 0) return checked as KvBatchOutcome[];
  const written: KvBatchOutcome = await write(writes).then(
    (revision) => ({ revision }),
    (error: Error) => ({ error }),
  );
  return checked.map((c) => ("op" in c ? written : c));
}

/** The live entries among `keys` in a crdt bucket's mirror. */
export function batchEntries(m: BucketMirror, keys: readonly string[]): Map<string, KvEntry> {
  const found = new Map<string, KvEntry>();
  const revision = m.revision;
  for (const key of keys) {
    const value = m.get(key);
    if (value) found.set(key, { key, value, revision, createRevision: revision, expiresAt: null });
  }
  return found;
}
