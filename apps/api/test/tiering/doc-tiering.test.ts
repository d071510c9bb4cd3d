import * as A from "@automerge/automerge";
import {
  DocCompactor,
  type DocumentId,
  DocSnapshotUnreadable,
  type ObjectStore,
  type TenantId,
} from "@strata/core";
import {
  DocCompactionPg,
  DocLogPg,
  sweepDocOrphans,
  TieredSnapshots,
  tierIdleSnapshots,
} from "@strata/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DocTieringFixture, OBJECT_BACKENDS, viewOf } from "./support/doc-tiering-fixture.js";

class Crash extends Error {}

describe.each(OBJECT_BACKENDS)("idle documents in the object store ($name)", (backend) => {
  const f = new DocTieringFixture(backend);
  beforeAll(() => f.start());
  afterAll(() => f.close());

  it("round-trips an idle document's snapshot, across eviction and a restart", async () => {
    const { id, docId, local } = await f.compactedDoc();
    const before = await f.read(id);
    expect(before).toMatchObject(viewOf(local));
    expect(await f.adminTier(id)).toBe("hot");

    await f.idle(docId);
    expect((await f.tiering.tierAll()).docSnapshots).toBeGreaterThanOrEqual(1);
    const row = await f.snapshotRow(docId);
    expect(row.hot).toBe(false);
    expect(row.object_key).toMatch(new RegExp(`^docs/${docId}/\\d+-[0-9a-f]{64}\\.automerge$`));
    expect(await f.store.head(row.object_key!)).not.toBeNull();
    expect(await f.adminTier(id)).toBe("cold");

    f.evict();
    expect(await f.read(id)).toEqual(before);
    await f.restart();
    expect(await f.read(id)).toEqual(before);
    expect(await f.adminTier(id)).toBe("cold");
  });

  it("compacts new changes over a tiered snapshot; the old object goes, the new one tiers", async () => {
    const { id, docId, local, key } = await f.tieredDoc();
    f.evict();
    const latest = await f.c.edit(id, local, (d) => (d.after = "tiering"));
    expect((await f.compactor.compact(docId)).outcome).toBe("compacted");
    // The compaction deleted the replaced snapshot's object once its row was gone.
    expect(await f.store.head(key)).toBeNull();
    expect((await f.snapshotRow(docId)).hot).toBe(true);
    expect(await f.adminTier(id)).toBe("hot");
    f.evict();
    expect(await f.read(id)).toMatchObject(viewOf(latest));

    await f.idle(docId);
    await f.tiering.tierAll();
    const row = await f.snapshotRow(docId);
    expect(row.hot).toBe(false);
    expect(await f.objectKeys(docId)).toEqual([row.object_key]);
    f.evict();
    expect(await f.read(id)).toMatchObject(viewOf(latest));
  });

  it("leaves a replaced snapshot's object to the sweep when deleting it fails", async () => {
    const { id, docId, local, key } = await f.tieredDoc();
    const store = f.store;
    const noDeletes: ObjectStore = {
      put: (k, b) => store.put(k, b),
      get: (k) => store.get(k),
      head: (k) => store.head(k),
      list: (p) => store.list(p),
      delete: () => Promise.reject(new Error("object store down")),
    };
    const compactor = new DocCompactor(
      new DocCompactionPg(f.t.pool, new TieredSnapshots(noDeletes)),
    );
    const latest = await f.c.edit(id, local, (d) => (d.more = [1, 2, 3]));
    expect((await compactor.compact(docId)).outcome).toBe("compacted");
    expect(await f.store.head(key)).not.toBeNull();
    f.evict();
    expect(await f.read(id)).toMatchObject(viewOf(latest));

    await f.tiering.tierAll();
    expect(await f.objectKeys(docId)).toEqual([]);
    expect(await f.read(id)).toMatchObject(viewOf(latest));
  });

  it("a load that loses a race with compaction replacing the tiered snapshot reads again", async () => {
    const { id, docId, local, key } = await f.tieredDoc();
    const latest = await f.c.edit(id, local, (d) => (d.raced = true));
    const store = f.store;
    let compacted = false;
    // The loader has read the rows; before it fetches the object, compaction replaces both.
    const racing: ObjectStore = {
      put: (k, b) => store.put(k, b),
      head: (k) => store.head(k),
      list: (p) => store.list(p),
      delete: (k) => store.delete(k),
      async get(k) {
        if (k === key && !compacted) {
          compacted = (await f.compactor.compact(docId)).outcome === "compacted";
        }
        return store.get(k);
      },
    };
    const log = new DocLogPg(f.t.pool, new TieredSnapshots(racing));
    const content = await log.load({
      tenantId: f.tenantId as TenantId,
      documentId: id as DocumentId,
    });
    expect(compacted).toBe(true);
    expect(await f.store.head(key)).toBeNull();
    expect(content!.changes).toEqual([]);
    const doc = A.load<Record<string, unknown>>(content!.snapshot!.bytes);
    expect(A.toJS(doc)).toEqual(A.toJS(latest));
    expect([...A.getHeads(doc)].sort()).toEqual(viewOf(latest).heads);
  });

  it("answers a corrupt or missing snapshot object with a 500 and an alert, never an empty document", async () => {
    const { id, docId, local, key } = await f.tieredDoc();
    const original = Buffer.from(await f.store.get(key));
    const corrupt = Buffer.from(original);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length >> 1) ^ 0xff, corrupt.length >> 1);
    await f.store.put(key, corrupt);
    f.evict();

    const json = await f.c.json("GET", `/v1/docs/${id}`);
    expect(json.status).toBe(500);
    expect(json.body).toMatchObject({
      code: "doc_snapshot_unreadable",
      document_id: id,
      object_key: key,
    });
    expect(String(json.body.detail)).toMatch(/checksum mismatch/);
    const binary = await f.c.request("GET", `/v1/docs/${id}`, undefined, {
      accept: "application/octet-stream",
    });
    expect(binary.status).toBe(500);
    // A write must not land on an empty document either.
    const next = A.change(A.clone(local), (d) => (d.lost = true));
    const write = await f.c.postChanges(id, A.getChanges(local, next));
    expect(write.status).toBe(500);
    const { rows } = await f.t.pool.query("select 1 from doc_changes where doc_id = $1", [docId]);
    expect(rows).toEqual([]);
    // Compaction (which builds on the snapshot) refuses too.
    await expect(f.compactor.compact(docId)).rejects.toBeInstanceOf(DocSnapshotUnreadable);

    const alerts = (await (
      await f.t.admin("GET", "/v1/admin/alerts?kind=tier_corrupt")
    ).json()) as {
      items: { resource: string; tenant_id: string | null; details: { object_key: string } }[];
    };
    const mine = alerts.items.filter((a) => a.resource === `doc:${f.tenantId}/${id}`);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.details.object_key).toBe(key);

    await f.store.delete(key);
    const missing = await f.c.json("GET", `/v1/docs/${id}`);
    expect(missing.status).toBe(500);
    expect(String(missing.body.detail)).toMatch(/object missing/);

    // Putting the object back makes the document whole again.
    await f.store.put(key, original);
    expect(await f.read(id)).toMatchObject(viewOf(local));
  });

  it("a crash between writing the object and recording it leaves the document loadable; the sweep collects the orphan", async () => {
    const { id, docId, local } = await f.compactedDoc();
    await f.idle(docId);
    const crashed = await tierIdleSnapshots(f.t.pool, f.store, {
      idleSeconds: 600,
      limit: 1000,
      failpoint: (_step, d) => {
        if (d === docId) throw new Crash("crash after the object was written");
      },
    });
    expect(crashed.failures).toEqual([expect.stringMatching(/crash after the object was written/)]);
    expect((await f.snapshotRow(docId)).hot).toBe(true);
    expect(await f.objectKeys(docId)).toHaveLength(1);
    f.evict();
    expect(await f.read(id)).toMatchObject(viewOf(local));

    expect((await sweepDocOrphans(f.t.pool, f.store, 0)).deleted).toBeGreaterThanOrEqual(1);
    expect(await f.objectKeys(docId)).toEqual([]);
    expect(await f.read(id)).toMatchObject(viewOf(local));

    // The next run tiers it for real.
    await f.tiering.tierAll();
    expect((await f.snapshotRow(docId)).hot).toBe(false);
    expect(await f.objectKeys(docId)).toHaveLength(1);
    f.evict();
    expect(await f.read(id)).toMatchObject(viewOf(local));
  });

  it("sweeps the object of a deleted tiered document", async () => {
    const { id, docId } = await f.tieredDoc();
    expect((await f.c.request("DELETE", `/v1/docs/${id}`)).status).toBeLessThan(300);
    await f.tiering.tierAll();
    expect(await f.objectKeys(docId)).toEqual([]);
  });
});
