import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Automerge from "@automerge/automerge";
import { SegmentUnreadable } from "@strata/core";
import {
  createPool,
  type Pool,
  snapshotBytes,
  sweepDocOrphans,
  tierIdleSnapshots,
} from "@strata/db";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalObjectStore } from "../../src/tiering/local-object-store.js";
import { listKeys } from "./support/tiering-fixture.js";

let db: TestDatabase;
let pool: Pool;
let dir: string;
let store: LocalObjectStore;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 2 });
  dir = await mkdtemp(join(tmpdir(), "strata-doc-objects-"));
  store = new LocalObjectStore(dir);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

async function docWithSnapshot(idleSeconds: number, bytes: Uint8Array) {
  const { rows: t } = await pool.query<{ id: string }>(
    "insert into tenants (name) values ('docs-' || gen_random_uuid()) returning id",
  );
  const { rows: d } = await pool.query<{ id: string }>(
    `insert into docs (tenant_id, document_id, updated_at)
     values ($1, gen_random_uuid()::text, now() - make_interval(secs => $2)) returning id`,
    [t[0]!.id, idleSeconds],
  );
  const { rows: s } = await pool.query<{ id: string }>(
    "insert into doc_snapshots (doc_id, heads, bytes, size) values ($1, '{}', $2, $3) returning id",
    [d[0]!.id, Buffer.from(bytes), bytes.byteLength],
  );
  return { docId: Number(d[0]!.id), snapshotId: Number(s[0]!.id) };
}

const row = async (docId: number) =>
  (
    await pool.query<{ bytes: Buffer | null; object_key: string | null }>(
      "select bytes, object_key from doc_snapshots where doc_id = $1 order by id desc limit 1",
      [docId],
    )
  ).rows[0]!;

describe("idle document snapshots in the object store", () => {
  it("moves only idle documents' latest snapshot, and loads it back to the same document", async () => {
    let doc = Automerge.from<{ title: string; items: string[] }>({ title: "plan", items: [] });
    doc = Automerge.change(doc, (d) => d.items.push("tier", "verify"));
    const saved = Automerge.save(doc);
    const idle = await docWithSnapshot(3600, saved);
    const busy = await docWithSnapshot(0, saved);

    expect(await tierIdleSnapshots(pool, store, { idleSeconds: 600, limit: 100 })).toMatchObject({
      snapshots: 1,
      failures: [],
    });
    const tiered = await row(idle.docId);
    expect(tiered.bytes).toBeNull();
    expect(tiered.object_key).toMatch(new RegExp(`^docs/${idle.docId}/${idle.snapshotId}-`));
    expect((await row(busy.docId)).bytes).not.toBeNull();

    const loaded = Automerge.load<{ title: string; items: string[] }>(
      await snapshotBytes(store, tiered),
    );
    expect(Automerge.toJS(loaded)).toEqual({ title: "plan", items: ["tier", "verify"] });
    expect(Automerge.getHeads(loaded)).toEqual(Automerge.getHeads(doc));
    // A second run finds nothing more to move.
    expect(await tierIdleSnapshots(pool, store, { idleSeconds: 600, limit: 100 })).toMatchObject({
      considered: 0,
      snapshots: 0,
    });
  });

  it("reports a corrupt or missing snapshot object as unreadable and sweeps orphans", async () => {
    const { docId } = await docWithSnapshot(3600, Automerge.save(Automerge.from({ n: 1 })));
    await tierIdleSnapshots(pool, store, { idleSeconds: 600, limit: 100 });
    const r = await row(docId);
    const bytes = Buffer.from(await store.get(r.object_key!));
    bytes.writeUInt8(bytes.readUInt8(0) ^ 0xff, 0);
    await store.put(r.object_key!, bytes);
    await expect(snapshotBytes(store, r)).rejects.toBeInstanceOf(SegmentUnreadable);
    await store.delete(r.object_key!);
    await expect(snapshotBytes(store, r)).rejects.toThrow(/object missing/);

    await store.put("docs/999999/1-" + "0".repeat(64) + ".automerge", Buffer.from("orphan"));
    expect((await sweepDocOrphans(pool, store, 0)).deleted).toBe(1);
    const left = await listKeys(store, "docs/");
    const { rows } = await pool.query<{ object_key: string }>(
      "select object_key from doc_snapshots where object_key is not null",
    );
    // Every object left is a snapshot some row points to.
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((k) => rows.some((x) => x.object_key === k))).toBe(true);
  });
});
