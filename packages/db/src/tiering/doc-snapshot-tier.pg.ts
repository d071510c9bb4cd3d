import {
  assertObjectKey,
  ObjectNotFound,
  type ObjectStore,
  SegmentUnreadable,
  sha256Hex,
} from "@strata/core";
import type pg from "pg";
import { type SweepResult } from "./orphan-sweep.pg.js";

export const DOCS_PREFIX = "docs/";

/**
 * Object key of a tiered snapshot. The SHA-256 of the bytes is part of the
 * key, so a loader can verify the object without another column.
 */
export function snapshotKey(docId: number, snapshotId: number, sha256: string): string {
  return `${DOCS_PREFIX}${docId}/${snapshotId}-${sha256}.automerge`;
}

export interface DocTierResult {
  /** Snapshot rows looked at (a full batch means there may be more). */
  readonly considered: number;
  /** Snapshots moved, and their bytes. */
  readonly snapshots: number;
  readonly bytes: number;
  /** One line per document that could not be moved (it keeps its bytes). */
  readonly failures: readonly string[];
}

/** Where the tiering steps of one snapshot can be interrupted (tests make them throw). */
export type DocTierStep = "object-written";

/**
 * Moves the latest snapshot of documents idle for `idleSeconds` to the
 * object store: write, read back and verify, then one UPDATE swaps the bytes
 * for the key (only if the row still holds its bytes). A crash in between
 * leaves the bytes in place and an orphan object for `sweepDocOrphans`; so
 * does a compaction that replaced the snapshot meanwhile. One document's
 * failure does not stop the others.
 */
export async function tierIdleSnapshots(
  pool: pg.Pool,
  store: ObjectStore,
  options: {
    idleSeconds: number;
    limit: number;
    failpoint?: (step: DocTierStep, docId: number) => void | Promise<void>;
  },
): Promise<DocTierResult> {
  const { rows } = await pool.query<{ doc_id: string; id: string; bytes: Buffer }>(
    `select s.doc_id, s.id, s.bytes from docs d
       join lateral (select doc_id, id, bytes from doc_snapshots where doc_id = d.id
                      order by id desc limit 1) s on true
      where s.bytes is not null and d.updated_at < now() - make_interval(secs => $1)
      order by d.updated_at limit $2`,
    [options.idleSeconds, options.limit],
  );
  let snapshots = 0;
  let bytes = 0;
  const failures: string[] = [];
  for (const r of rows) {
    try {
      if (await tierOne(pool, store, r, options.failpoint)) {
        snapshots++;
        bytes += r.bytes.byteLength;
      }
    } catch (err) {
      failures.push(`document ${r.doc_id}: ${(err as Error).message}`);
    }
  }
  return { considered: rows.length, snapshots, bytes, failures };
}

async function tierOne(
  pool: pg.Pool,
  store: ObjectStore,
  r: { doc_id: string; id: string; bytes: Buffer },
  failpoint: ((step: DocTierStep, docId: number) => void | Promise<void>) | undefined,
): Promise<boolean> {
  const sha256 = sha256Hex(r.bytes);
  const key = snapshotKey(Number(r.doc_id), Number(r.id), sha256);
  await store.put(key, r.bytes);
  const back = await store.get(key);
  if (back.byteLength !== r.bytes.byteLength || sha256Hex(back) !== sha256)
    throw new Error(`snapshot object ${key} did not read back intact`);
  await failpoint?.("object-written", Number(r.doc_id));
  const { rowCount } = await pool.query(
    `update doc_snapshots set bytes = null, object_key = $3
      where doc_id = $1 and id = $2 and bytes is not null`,
    [r.doc_id, r.id, key],
  );
  return (rowCount ?? 0) > 0;
}

/** A snapshot row's bytes, from the row or from the object store (verified against its key). */
export async function snapshotBytes(
  store: ObjectStore,
  row: { bytes: Buffer | null; object_key: string | null },
): Promise<Buffer> {
  if (row.bytes !== null) return row.bytes;
  const key = row.object_key;
  if (key === null) throw new SegmentUnreadable("(none)", "snapshot has neither bytes nor object");
  assertObjectKey(key);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(key);
  } catch (err) {
    if (err instanceof ObjectNotFound) throw new SegmentUnreadable(key, "object missing");
    throw err;
  }
  const expected = /-([0-9a-f]{64})\.automerge$/.exec(key)?.[1];
  if (expected !== sha256Hex(bytes)) throw new SegmentUnreadable(key, "checksum mismatch");
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Deletes snapshot objects no row references: written by a run that crashed
 * (or lost a race with compaction) before recording them, or left when
 * compaction or a document delete removed their row and the object delete
 * did not happen. Objects younger than `graceSeconds` stay (a run may be
 * about to record them).
 */
export async function sweepDocOrphans(
  pool: pg.Pool,
  store: ObjectStore,
  graceSeconds: number,
): Promise<SweepResult> {
  const horizon = Date.now() - graceSeconds * 1000;
  const candidates: string[] = [];
  let checked = 0;
  for await (const o of store.list(DOCS_PREFIX)) {
    checked++;
    if (o.lastModified.getTime() <= horizon) candidates.push(o.key);
  }
  let deleted = 0;
  for (let i = 0; i < candidates.length; i += 500) {
    const batch = candidates.slice(i, i + 500);
    const { rows } = await pool.query<{ object_key: string }>(
      "select object_key from doc_snapshots where object_key = any($1::text[])",
      [batch],
    );
    const live = new Set(rows.map((r) => r.object_key));
    for (const key of batch) {
      if (live.has(key)) continue;
      await store.delete(key);
      deleted++;
    }
  }
  return { checked, deleted };
}
