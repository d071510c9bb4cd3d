import * as A from "@automerge/automerge";
import { DocOwner } from "@strata/core";
import { afterAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { DocClient, sortedHeads } from "./doc-client.js";

const apps: TestApp[] = [];
afterAll(async () => {
  for (const a of apps.reverse()) await a.close().catch(() => {});
});

describe("documents in memory and across restarts", () => {
  it("keeps loaded documents within the cache budget; an evicted document reloads the same", async () => {
    // A budget smaller than any document: only the most recently used one stays loaded.
    const t = await startTestApp({ STRATA_DOC_CACHE_BYTES: "1" });
    apps.push(t);
    const c = new DocClient(t.baseUrl, (await t.tenantWithKey(["docs:read", "docs:write"])).secret);
    const owner = t.app.get(DocOwner);
    const locals = new Map<string, A.Doc<Record<string, unknown>>>();
    for (let i = 0; i < 4; i++) {
      const { id } = await c.create({ i });
      let local = await c.load(id);
      local = await c.edit(id, local, (d) => (d.edited = true));
      local = await c.edit(id, local, (d) => (d.list = [i, i + 1]));
      locals.set(id, local);
      expect(owner.stats.loaded).toBe(1);
    }
    for (const [id, local] of locals) {
      const more = await c.edit(id, local, (d) => (d.again = 1));
      const reloaded = await c.load(id);
      expect(A.toJS(reloaded)).toEqual(A.toJS(more));
      expect(sortedHeads(reloaded)).toEqual(sortedHeads(more));
      expect(owner.stats.loaded).toBe(1);
    }
    expect(owner.evictIdle(0)).toBe(1);
    expect(owner.stats).toEqual({ loaded: 0, bytes: 0 });
  });

  it("a restarted node on the same database has every document intact", async () => {
    const first = await startTestApp();
    const key = await first.tenantWithKey(["docs:read", "docs:write"]);
    const c1 = new DocClient(first.baseUrl, key.secret);
    const { id } = await c1.create({ title: "kept" });
    let local = await c1.load(id);
    for (let i = 0; i < 5; i++) local = await c1.edit(id, local, (d) => (d[`k${i}`] = i));
    await first.close({ keepDatabase: true });

    const second = await startTestApp({}, { db: first.db, adminToken: first.adminToken });
    apps.push(second);
    const c2 = new DocClient(second.baseUrl, key.secret);
    const reloaded = await c2.load(id);
    expect(A.toJS(reloaded)).toEqual(A.toJS(local));
    expect(await c2.heads(id)).toEqual(sortedHeads(local));
    const after = await c2.edit(id, reloaded, (d) => (d.after = "restart"));
    expect(await c2.heads(id)).toEqual(sortedHeads(after));
  });

  it("queues compaction when a document crosses the change-count threshold", async () => {
    const t = await startTestApp({ STRATA_DOC_COMPACT_CHANGES: "5" });
    apps.push(t);
    const c = new DocClient(t.baseUrl, (await t.tenantWithKey(["docs:read", "docs:write"])).secret);
    const { id } = await c.create({ n: 0 });
    let local = await c.load(id);
    for (let i = 1; i <= 8; i++) local = await c.edit(id, local, (d) => (d.n = i));
    const snapshots = async () =>
      Number(
        (
          await t.pool.query(
            "select count(*) from doc_snapshots s join docs d on d.id = s.doc_id where d.document_id = $1",
            [id],
          )
        ).rows[0].count,
      );
    // The job runs in the background (in-process runner): wait for its snapshot.
    for (let i = 0; i < 200 && (await snapshots()) === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await snapshots()).toBe(1);
    t.app.get(DocOwner).evictIdle(0);
    const back = await c.load(id);
    expect(A.toJS(back)).toEqual(A.toJS(local));
    expect(sortedHeads(back)).toEqual(sortedHeads(local));
  });
});
