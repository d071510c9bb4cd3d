import * as A from "@automerge/automerge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { concat, DocClient, sortedHeads } from "./doc-client.js";

const MAX_DOC_BYTES = 64 * 1024;

let t: TestApp;
let c: DocClient;
let tenantId: string;
beforeAll(async () => {
  t = await startTestApp({ STRATA_DOC_MAX_BYTES: String(MAX_DOC_BYTES) });
  const k = await t.tenantWithKey(["docs:read", "docs:write"]);
  tenantId = k.tenantId;
  c = new DocClient(t.baseUrl, k.secret);
});
afterAll(() => t?.close());

const changeRows = async (documentId: string) =>
  Number(
    (
      await t.pool.query(
        "select count(*) from doc_changes c join docs d on d.id = c.doc_id where d.document_id = $1",
        [documentId],
      )
    ).rows[0].count,
  );

describe("documents over REST", () => {
  it("round-trip: JSON create, changes made with Automerge, heads, changes since, past version, save", async () => {
    const { id, url, heads: created } = await c.create({ title: "notes", items: ["a"] });
    expect(url).toBe(`automerge:${id}`);
    let local = await c.load(id);
    expect(A.toJS(local)).toEqual({ title: "notes", items: ["a"] });
    expect(sortedHeads(local)).toEqual(created);

    const v1 = sortedHeads(local);
    local = await c.edit(id, local, (d) => {
      (d.items as string[]).push("b");
      d.title = "notes 2";
    });
    expect(await c.heads(id)).toEqual(sortedHeads(local));

    const now = await c.content(url);
    expect(now.body.content).toEqual({ title: "notes 2", items: ["a", "b"] });
    const past = await c.content(id, v1);
    expect(past.status).toBe(200);
    expect(past.body.content).toEqual({ title: "notes", items: ["a"] });

    const since = await c.request("GET", `/v1/docs/${id}/changes?since=${v1.join(",")}`);
    expect(since.status).toBe(200);
    expect(since.headers.get("strata-change-count")).toBe("1");
    const replay = A.loadIncremental(
      A.load(A.save(A.view(local, v1))),
      new Uint8Array(await since.arrayBuffer()),
    );
    expect(A.toJS(replay)).toEqual(A.toJS(local));

    const all = await c.request("GET", `/v1/docs/${id}/changes`);
    const rebuilt = A.loadIncremental(A.init(), new Uint8Array(await all.arrayBuffer()));
    expect(sortedHeads(rebuilt)).toEqual(sortedHeads(local));

    const saved = await c.load(id);
    expect(A.toJS(saved)).toEqual(A.toJS(local));
    expect(sortedHeads(saved)).toEqual(sortedHeads(local));

    const status = await c.json<{ durable: boolean; heads: string[] }>(
      "GET",
      `/v1/docs/${id}/sync-status?heads=${sortedHeads(local).join(",")}`,
    );
    expect(status.body).toEqual({ durable: true, heads: sortedHeads(local) });
    const ahead = A.change(A.clone(local), (d) => (d.more = 1));
    const notYet = await c.json(
      "GET",
      `/v1/docs/${id}/sync-status?heads=${A.getHeads(ahead).join(",")}`,
    );
    expect(notYet.body).toEqual({ durable: false, heads: sortedHeads(local) });
  });

  it("creates empty documents and documents from binary (a save, or changes)", async () => {
    const empty = await c.create();
    expect(empty.heads).toEqual([]);
    expect((await c.content(empty.id)).body.content).toEqual({});

    const local = A.from({ n: 1 });
    const fromSave = await c.create(A.save(local));
    expect(fromSave.heads).toEqual(sortedHeads(local));
    const fromChanges = await c.create(concat(A.getAllChanges(local)));
    expect((await c.content(fromChanges.id)).body.content).toEqual({ n: 1 });
  });

  it("applying the same changes twice stores them once", async () => {
    const { id } = await c.create({ a: 1 });
    const local = await c.load(id);
    const next = A.change(A.clone(local), (d) => (d.a = 2));
    const changes = A.getChanges(local, next);
    const first = await c.postChanges(id, changes);
    const again = await c.postChanges(id, changes);
    expect(again.body.heads).toEqual(first.body.heads);
    expect(await changeRows(id)).toBe(A.getAllChanges(next).length);
  });

  it("stores changes whose deps are missing, and applies them once the deps arrive", async () => {
    const { id } = await c.create({ a: 1 });
    const base = await c.load(id);
    const mid = A.change(A.clone(base), (d) => (d.b = 1));
    const top = A.change(A.clone(mid), (d) => (d.c = 1));
    const [first] = A.getChanges(base, mid);
    const [second] = A.getChanges(mid, top);
    const early = await c.postChanges(id, [second!]);
    expect(early.status).toBe(200);
    expect(early.body.heads).toEqual(sortedHeads(base));
    const late = await c.postChanges(id, [first!]);
    expect(late.body.heads).toEqual(sortedHeads(top));
    expect((await c.content(id)).body.content).toEqual({ a: 1, b: 1, c: 1 });
  });

  it("answers 400 for bytes that do not decode, and stores nothing", async () => {
    const { id } = await c.create({ a: 1 });
    const before = await changeRows(id);
    const local = await c.load(id);
    const good = A.getChanges(
      local,
      A.change(A.clone(local), (d) => (d.a = 2)),
    );
    const garbage = await c.postChanges(id, [good[0]!, new TextEncoder().encode("not automerge")]);
    expect(garbage.status).toBe(400);
    expect(garbage.body.code).toBe("invalid_change");
    const corrupt = new Uint8Array(good[0]!);
    corrupt[corrupt.length - 1] = corrupt[corrupt.length - 1]! ^ 0xff;
    const bad = await c.postChanges(id, [corrupt]);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("invalid_change");
    expect(await changeRows(id)).toBe(before);
    expect(await c.heads(id)).toEqual(sortedHeads(local));
  });

  it("refuses a document over its size limit (413) and stores nothing", async () => {
    const { id } = await c.create({ a: 1 });
    const local = await c.load(id);
    // Automerge deflates large changes: random text keeps this one over the limit.
    const random = A.change(A.clone(local), (d) => {
      d.blob = Array.from({ length: MAX_DOC_BYTES * 2 }, () =>
        String.fromCharCode(97 + Math.floor(Math.random() * 26)),
      ).join("");
    });
    const changes = A.getChanges(local, random);
    const res = await c.postChanges(id, changes);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("document_too_large");
    expect(await c.heads(id)).toEqual(sortedHeads(local));
    expect(await changeRows(id)).toBe(A.getAllChanges(local).length);
  });

  it("validates ids and heads", async () => {
    expect((await c.request("GET", "/v1/docs/not-an-id")).status).toBe(400);
    const { id } = await c.create({ a: 1 });
    expect((await c.request("GET", `/v1/docs/${id}?heads=zz`)).status).toBe(400);
    const unknown = "ab".repeat(32);
    const res = await c.json("GET", `/v1/docs/${id}?heads=${unknown}`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe("unknown_heads");
  });

  it("lists with a cursor and deletes", async () => {
    const k = await t.tenantWithKey(["docs:read", "docs:write"]);
    const own = new DocClient(t.baseUrl, k.secret);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await own.create({ i })).id);
    const page1 = await own.json<{ items: { document_id: string }[]; next_after: string }>(
      "GET",
      "/v1/docs?limit=2",
    );
    expect(page1.body.items).toHaveLength(2);
    const page2 = await own.json<{ items: { document_id: string }[]; next_after: null }>(
      "GET",
      `/v1/docs?limit=2&after=${page1.body.next_after}`,
    );
    const listed = [...page1.body.items, ...page2.body.items].map((d) => d.document_id);
    expect(listed.sort()).toEqual(ids.sort());
    expect((await own.request("DELETE", `/v1/docs/${ids[0]}`)).status).toBe(204);
    expect((await own.request("GET", `/v1/docs/${ids[0]}`)).status).toBe(404);
    expect((await own.request("DELETE", `/v1/docs/${ids[0]}`)).status).toBe(404);
  });

  it("hides other tenants' documents (404) and checks scopes and name patterns (403)", async () => {
    const { id } = await c.create({ secret: true });
    const other = new DocClient(
      t.baseUrl,
      (await t.tenantWithKey(["docs:read", "docs:write"])).secret,
    );
    expect((await other.request("GET", `/v1/docs/${id}`)).status).toBe(404);
    expect((await other.request("GET", `/v1/docs/${id}/heads`)).status).toBe(404);
    const local = await c.load(id);
    const change = A.getChanges(
      local,
      A.change(A.clone(local), (d) => (d.secret = false)),
    );
    expect((await other.postChanges(id, change)).status).toBe(404);
    expect((await other.request("DELETE", `/v1/docs/${id}`)).status).toBe(404);
    expect((await c.content(id)).body.content).toEqual({ secret: true });

    const reader = new DocClient(t.baseUrl, (await t.tenantWithKey(["docs:read"])).secret);
    expect((await reader.request("POST", "/v1/docs", { a: 1 })).status).toBe(403);
    const kvOnly = new DocClient(t.baseUrl, (await t.tenantWithKey(["kv:read"])).secret);
    expect((await kvOnly.request("GET", "/v1/docs")).status).toBe(403);

    const { id: elsewhere } = await c.create({ b: 1 });
    const key = await t.admin("POST", `/v1/admin/tenants/${tenantId}/keys`, {
      name: "one document",
      scopes: ["docs:read"],
      patterns: [id],
    });
    const narrow = new DocClient(t.baseUrl, ((await key.json()) as { secret: string }).secret);
    expect((await narrow.request("GET", `/v1/docs/automerge:${id}`)).status).toBe(200);
    expect((await narrow.request("GET", `/v1/docs/${elsewhere}`)).status).toBe(403);
    const listed = await narrow.json<{ items: { document_id: string }[] }>("GET", "/v1/docs");
    expect(listed.body.items.map((d) => d.document_id)).toEqual([id]);
  });
});
