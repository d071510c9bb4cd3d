import * as A from "@automerge/automerge";
import { DocCatalogPg } from "@strata/db";
import { type DocRowId, DocCompactor, type DocumentId, DocOwner } from "@strata/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DocCompactionJobs } from "../../src/docs/doc-compaction.jobs.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { DocClient, type Doc, sortedHeads } from "./doc-client.js";

let t: TestApp;
let c: DocClient;
let tenantId: string;
let compactor: DocCompactor;
beforeAll(async () => {
  // Thresholds out of reach: these tests run compaction themselves.
  t = await startTestApp({
    STRATA_DOC_COMPACT_CHANGES: "1000000",
    STRATA_DOC_COMPACT_IDLE_MS: "3600000",
  });
  const k = await t.tenantWithKey(["docs:read", "docs:write"]);
  tenantId = k.tenantId;
  c = new DocClient(t.baseUrl, k.secret);
  compactor = t.app.get(DocCompactor);
});
afterEach(() => {
  compactor.failpoint = () => {};
});
afterAll(() => t?.close());

async function rowId(documentId: string): Promise<DocRowId> {
  const info = await t.app
    .get(DocCatalogPg)
    .get({ tenantId, documentId: documentId as DocumentId });
  return info!.id;
}

async function stored(docId: DocRowId) {
  const q = (sql: string) => t.pool.query(sql, [docId]).then((r) => Number(r.rows[0].n));
  return {
    changes: await q("select count(*) as n from doc_changes where doc_id = $1"),
    snapshots: await q("select count(*) as n from doc_snapshots where doc_id = $1"),
    counted: await q("select changes as n from docs where id = $1"),
  };
}

/** A document with `n` edits by REST; returns its id and the local copy. */
async function docWithEdits(n: number): Promise<{ id: string; local: Doc }> {
  const { id } = await c.create({ log: [] });
  let local = await c.load(id);
  for (let i = 0; i < n; i++) local = await c.edit(id, local, (d) => (d[`k${i}`] = i));
  return { id, local };
}

/** What a fresh node would load: the owner's memory dropped, then the document read back. */
async function reloaded(id: string): Promise<Doc> {
  t.app.get(DocOwner).evictIdle(0);
  return c.load(id);
}

describe("compaction", () => {
  it("folds the changes into a snapshot; the reloaded document has the same heads and contents", async () => {
    const { id, local } = await docWithEdits(10);
    const docId = await rowId(id);
    const result = await compactor.compact(docId);
    expect(result.outcome).toBe("compacted");
    expect(result.foldedChanges).toBe(A.getAllChanges(local).length);
    expect(await stored(docId)).toEqual({ changes: 0, snapshots: 1, counted: 0 });
    const back = await reloaded(id);
    expect(sortedHeads(back)).toEqual(sortedHeads(local));
    expect(A.toJS(back)).toEqual(A.toJS(local));
    // Writing after compaction and compacting again keeps one snapshot.
    const more = await c.edit(id, back, (d) => (d.after = true));
    expect((await compactor.compact(docId)).outcome).toBe("compacted");
    expect(await stored(docId)).toEqual({ changes: 0, snapshots: 1, counted: 0 });
    const again = await reloaded(id);
    expect(A.toJS(again)).toEqual(A.toJS(more));
  });

  it("keeps changes that arrive while it runs", async () => {
    const { id, local } = await docWithEdits(5);
    const docId = await rowId(id);
    let latest = local;
    compactor.failpoint = async (step) => {
      // Edits land after compaction read the document, and after its snapshot is committed.
      if (step === "content-loaded" || step === "snapshot-inserted") {
        latest = await c.edit(id, latest, (d) => (d[step] = true));
      }
    };
    expect((await compactor.compact(docId)).outcome).toBe("compacted");
    expect((await stored(docId)).changes).toBe(2);
    const back = await reloaded(id);
    expect(sortedHeads(back)).toEqual(sortedHeads(latest));
    expect(A.toJS(back)).toMatchObject({ "content-loaded": true, "snapshot-inserted": true });
    compactor.failpoint = () => {};
    expect((await compactor.compact(docId)).outcome).toBe("compacted");
    expect(A.toJS(await reloaded(id))).toEqual(A.toJS(latest));
  });

  it("a crash between its steps leaves a loadable, complete document, and a re-run cleans up", async () => {
    for (const step of ["snapshot-inserted", "changes-deleted"] as const) {
      const { id, local } = await docWithEdits(6);
      const docId = await rowId(id);
      compactor.failpoint = (at) => {
        if (at === step) throw new Error(`crash at ${step}`);
      };
      await expect(compactor.compact(docId)).rejects.toThrow(`crash at ${step}`);
      const crashed = await stored(docId);
      expect(crashed.snapshots).toBe(1);
      expect(crashed.changes).toBe(
        step === "snapshot-inserted" ? A.getAllChanges(local).length : 0,
      );
      const back = await reloaded(id);
      expect(sortedHeads(back)).toEqual(sortedHeads(local));
      expect(A.toJS(back)).toEqual(A.toJS(local));

      compactor.failpoint = () => {};
      await compactor.compact(docId);
      expect(await stored(docId)).toEqual({ changes: 0, snapshots: 1, counted: 0 });
      expect(A.toJS(await reloaded(id))).toEqual(A.toJS(local));
    }
  });

  it("a crash after the old snapshots should have gone is cleaned up by the next run", async () => {
    const { id } = await docWithEdits(3);
    const docId = await rowId(id);
    await compactor.compact(docId);
    const back = await reloaded(id);
    const more = await c.edit(id, back, (d) => (d.x = 1));
    compactor.failpoint = (at) => {
      if (at === "changes-deleted") throw new Error("crash");
    };
    await expect(compactor.compact(docId)).rejects.toThrow("crash");
    expect(await stored(docId)).toMatchObject({ snapshots: 2, changes: 0 });
    compactor.failpoint = () => {};
    expect((await compactor.compact(docId)).outcome).toBe("nothing-to-do");
    expect(await stored(docId)).toMatchObject({ snapshots: 1, changes: 0 });
    expect(A.toJS(await reloaded(id))).toEqual(A.toJS(more));
  });

  it("the sweep compacts documents nobody has written to for a while", async () => {
    const { id, local } = await docWithEdits(2);
    const docId = await rowId(id);
    await t.pool.query("update docs set updated_at = now() - interval '2 hours' where id = $1", [
      docId,
    ]);
    const jobs = t.app.get(DocCompactionJobs);
    expect(await jobs.sweep()).toBeGreaterThanOrEqual(1);
    expect((await stored(docId)).changes).toBe(0);
    expect(A.toJS(await reloaded(id))).toEqual(A.toJS(local));
  });
});
