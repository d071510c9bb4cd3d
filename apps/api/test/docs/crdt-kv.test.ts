import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SseReader } from "../support/sse.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { TenantClient } from "../support/tenant-client.js";
import { TestWsClient } from "../support/ws-client.js";
import { DocClient } from "./doc-client.js";

let t: TestApp;
let c: DocClient;
const closing: (() => unknown)[] = [];
beforeAll(async () => {
  t = await startTestApp();
  const { secret } = await t.tenantWithKey(["kv:read", "kv:write", "docs:read", "docs:write"]);
  c = new DocClient(t.baseUrl, secret);
});
afterEach(async () => {
  await Promise.all(closing.splice(0).map((f) => f()));
});
afterAll(() => t?.close());

interface BucketJson {
  name: string;
  mode: string;
  document_id?: string;
  keys: number;
  bytes: number;
  last_revision: number;
}

async function crdtBucket(): Promise<{ name: string; documentId: string }> {
  const name = `c-${randomBytes(4).toString("hex")}`;
  const res = await c.json<BucketJson>("PUT", `/v1/kv/${name}`, { mode: "crdt" });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ name, mode: "crdt" });
  expect(res.body.document_id).toMatch(/^[1-9A-HJ-NP-Za-km-z]+$/);
  return { name, documentId: res.body.document_id! };
}

const put = (bucket: string, key: string, value: string, headers: Record<string, string> = {}) =>
  c.json<{ revision: number; code?: string; detail?: string }>(
    "PUT",
    `/v1/kv/${bucket}/keys/${key}`,
    value,
    headers,
  );
const getText = async (bucket: string, key: string) => {
  const res = await c.request("GET", `/v1/kv/${bucket}/keys/${key}`);
  return { status: res.status, text: await res.text(), etag: res.headers.get("etag") };
};

describe("crdt buckets", () => {
  it("put, get, delete and list keys like a standard bucket, revision = the document's change count", async () => {
    const { name } = await crdtBucket();
    const r1 = await put(name, "a/1", "one");
    expect(r1.status).toBe(200);
    expect(r1.body.revision).toBe(1);
    expect((await put(name, "a/2", "two")).body.revision).toBe(2);
    expect((await put(name, "b/1", "three")).body.revision).toBe(3);
    expect((await put(name, "a/1", "uno")).body.revision).toBe(4);
    expect(await getText(name, "a/1")).toEqual({ status: 200, text: "uno", etag: '"4"' });
    expect((await getText(name, "missing")).status).toBe(404);

    const del = await c.json<{ revision: number }>("DELETE", `/v1/kv/${name}/keys/a/2`);
    expect(del).toMatchObject({ status: 200, body: { revision: 5 } });
    expect((await getText(name, "a/2")).status).toBe(404);

    for (let i = 0; i < 7; i++) await put(name, `p/${i}`, `v${i}`);
    const page1 = await c.json<{
      items: { key: string; value_base64: string }[];
      next_after: string;
    }>("GET", `/v1/kv/${name}/keys?prefix=p/&limit=4`);
    expect(page1.body.items.map((i) => i.key)).toEqual(["p/0", "p/1", "p/2", "p/3"]);
    expect(Buffer.from(page1.body.items[0]!.value_base64, "base64").toString()).toBe("v0");
    const page2 = await c.json<{ items: { key: string }[]; next_after: string | null }>(
      "GET",
      `/v1/kv/${name}/keys?prefix=p/&limit=4&after=${page1.body.next_after}&keys_only=true`,
    );
    expect(page2.body.items.map((i) => i.key)).toEqual(["p/4", "p/5", "p/6"]);
    expect(page2.body.next_after).toBeNull();
    const all = await c.json<{ items: { key: string }[] }>("GET", `/v1/kv/${name}/keys`);
    expect(all.body.items.map((i) => i.key)).toEqual([
      "a/1",
      "b/1",
      ...Array.from({ length: 7 }, (_, i) => `p/${i}`),
    ]);

    const info = await c.json<BucketJson>("GET", `/v1/kv/${name}`);
    expect(info.body).toMatchObject({ mode: "crdt", keys: 9, last_revision: 12 });
    expect((await c.request("DELETE", `/v1/kv/${name}`)).status).toBe(204);
    expect((await c.request("GET", `/v1/kv/${name}`)).status).toBe(404);
  });

  it("refuse compare-and-swap, TTL and reads by revision with a clear problem; mode is fixed", async () => {
    const { name } = await crdtBucket();
    await put(name, "k", "v");
    const casHeaders: Record<string, string>[] = [{ "if-match": '"1"' }, { "if-none-match": "*" }];
    for (const headers of casHeaders) {
      const res = await put(name, "k", "w", headers);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe("cas_unavailable_in_crdt_mode");
      expect(res.body.detail).toMatch(/not available in crdt mode/);
    }
    const cas = await c.json("POST", `/v1/kv/${name}/txn`, {
      compare: [{ key: "k", revision: 1 }],
      success: [{ op: "put", key: "k", value_text: "x" }],
    });
    expect(cas).toMatchObject({ status: 409, body: { code: "cas_unavailable_in_crdt_mode" } });
    expect((await put(name, "__proto__", "w")).status).toBe(400);
    const ttl = await put(name, "k", "w", { "strata-ttl": "10" });
    expect(ttl).toMatchObject({ status: 400, body: { code: "unavailable_in_crdt_mode" } });
    const past = await c.json("GET", `/v1/kv/${name}/keys/k?revision=1`);
    expect(past).toMatchObject({ status: 400, body: { code: "unavailable_in_crdt_mode" } });
    expect(await getText(name, "k")).toMatchObject({ text: "v" });

    // Without compares a transaction is one Automerge change: every write lands, one revision.
    const txn = await c.json<{ revision: number }>("POST", `/v1/kv/${name}/txn`, {
      success: [
        { op: "put", key: "x", value_text: "1" },
        { op: "put", key: "y", value_text: "2" },
        { op: "delete", key: "k" },
      ],
    });
    expect(txn).toMatchObject({ status: 200, body: { revision: 2 } });
    expect((await getText(name, "k")).status).toBe(404);

    const fixed = await c.json("PUT", `/v1/kv/${name}`, { mode: "standard" });
    expect(fixed).toMatchObject({ status: 409, body: { code: "kv_mode_fixed" } });
    const std = `s-${randomBytes(4).toString("hex")}`;
    await c.json("PUT", `/v1/kv/${std}`, {});
    expect((await c.json("PUT", `/v1/kv/${std}`, { mode: "crdt" })).status).toBe(409);
    const badConfig = await c.json("PUT", `/v1/kv/x-${std}`, { mode: "crdt", ttl_seconds: 60 });
    expect(badConfig.status).toBe(400);
    expect((await c.request("GET", `/v1/kv/x-${std}`)).status).toBe(404);
  });

  it("are Automerge documents: readable and writable through /v1/docs, other tenants get 404", async () => {
    const { name, documentId } = await crdtBucket();
    await put(name, "greeting", "hello");
    const doc = await c.content(documentId);
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.content)).toEqual(["greeting"]);
    const local = await c.load(documentId);
    expect(Buffer.from(local.greeting as Uint8Array).toString()).toBe("hello");

    // An Automerge client edits the document: KV readers see it.
    await c.edit(documentId, local, (d) => {
      d.greeting = new Uint8Array(Buffer.from("bonjour"));
      d.text = "plain text";
    });
    expect(await getText(name, "greeting")).toMatchObject({ status: 200, text: "bonjour" });
    expect(await getText(name, "text")).toMatchObject({ status: 200, text: "plain text" });

    const other = await t.tenantWithKey(["kv:read", "kv:write", "docs:read"]);
    const stranger = new TenantClient(t.baseUrl, other.secret);
    expect((await stranger.request("GET", `/v1/kv/${name}`)).status).toBe(404);
    expect((await stranger.request("GET", `/v1/kv/${name}/keys/greeting`)).status).toBe(404);
    expect((await stranger.request("GET", `/v1/docs/${documentId}`)).status).toBe(404);

    // Deleting the bucket deletes its document.
    expect((await c.request("DELETE", `/v1/kv/${name}`)).status).toBe(204);
    expect((await c.request("GET", `/v1/docs/${documentId}`)).status).toBe(404);
  });

  it("watch over SSE: the current state from a past revision, then every put and delete", async () => {
    const { name } = await crdtBucket();
    await put(name, "a/1", "x");
    await put(name, "b/1", "y");
    await put(name, "a/2", "z");
    const sse = new SseReader();
    closing.push(() => sse.close());
    const res = await sse.open(`${t.baseUrl}/v1/kv/${name}/events?prefix=a/&from_revision=1`, {
      authorization: `Bearer ${c.key}`,
    });
    expect(res.status).toBe(200);
    await sse.waitFor(2);
    await put(name, "a/3", "w");
    await put(name, "b/2", "ignored");
    await c.request("DELETE", `/v1/kv/${name}/keys/a/1`);
    const events = (await sse.waitFor(4)).map(
      (e) => JSON.parse(e.data) as { revision: number; key: string; op: string },
    );
    expect(events.map((e) => [e.revision, e.key, e.op])).toEqual([
      [3, "a/1", "put"],
      [3, "a/2", "put"],
      [4, "a/3", "put"],
      [6, "a/1", "delete"],
    ]);
  });

  it("watch over /v1/ws: kv.watch from now on", async () => {
    const { name } = await crdtBucket();
    await put(name, "k0", "before");
    const ws = await TestWsClient.connect(t.baseUrl, { key: c.key });
    closing.push(() => ws.close());
    ws.send({ type: "kv.watch", id: "w", sub: "s", bucket: name });
    const watching = await ws.waitFor((f) => f.type === "kv.watching");
    expect(watching).toMatchObject({ sub: "s", next_revision: 2 });
    ws.send({ type: "kv.put", id: "p", bucket: name, key: "k1", value_text: "after" });
    ws.send({
      type: "kv.put",
      id: "cas",
      bucket: name,
      key: "k1",
      value_text: "x",
      if_revision: 1,
    });
    const refused = await ws.waitFor((f) => f.type === "error" && f.id === "cas");
    expect(refused).toMatchObject({ code: "cas_unavailable_in_crdt_mode", status: 409 });
    await ws.waitFor((f) => f.type === "kv.acks");
    await c.request("DELETE", `/v1/kv/${name}/keys/k0`);
    const events = () =>
      ws.frames
        .filter((f) => f.type === "kv.events")
        .flatMap((f) => f.events as { revision: number; key: string; op: string }[]);
    await ws.until(() => events().length >= 2);
    expect(events().map((e) => [e.revision, e.key, e.op])).toEqual([
      [2, "k1", "put"],
      [3, "k0", "delete"],
    ]);
  });
});
