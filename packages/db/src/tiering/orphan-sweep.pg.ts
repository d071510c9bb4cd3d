import { type ObjectStore, owningSegmentKey, STREAMS_PREFIX } from "@strata/core";
import type pg from "pg";

const BATCH = 500;

export interface SweepResult {
  readonly checked: number;
  readonly deleted: number;
}

/**
 * Deletes objects of the cold tier that no manifest row references: written
 * by a run that crashed before recording them, or left behind when their
 * segment was dropped (retention, trims, deleting the stream). Only objects
 * older than `graceSeconds` go, so a run that is still between writing and
 * recording keeps its objects. A reader that loses a race with the sweep
 * finds its segment gone from the manifest too, and reads on without it.
 */
export async function sweepOrphans(
  pool: pg.Pool,
  store: ObjectStore,
  graceSeconds: number,
  prefix = STREAMS_PREFIX,
): Promise<SweepResult> {
  const horizon = Date.now() - graceSeconds * 1000;
  let checked = 0;
  let deleted = 0;
  let pending: { key: string; owner: string }[] = [];
  const flush = async () => {
    const owners = [...new Set(pending.map((p) => p.owner))];
    const { rows } = await pool.query<{ object_key: string }>(
      "select object_key from stream_segments where object_key = any($1::text[])",
      [owners],
    );
    const live = new Set(rows.map((r) => r.object_key));
    for (const p of pending) {
      if (live.has(p.owner)) continue;
      await store.delete(p.key);
      deleted++;
    }
    pending = [];
  };
  for await (const o of store.list(prefix)) {
    checked++;
    const owner = owningSegmentKey(o.key);
    // Keys outside the layout are not ours to judge.
    if (owner === null || o.lastModified.getTime() > horizon) continue;
    pending.push({ key: o.key, owner });
    if (pending.length >= BATCH) await flush();
  }
  if (pending.length > 0) await flush();
  return { checked, deleted };
}
