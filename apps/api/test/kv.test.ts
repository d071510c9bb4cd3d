import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { TenantClient } from "./support/tenant-client.js";

let t: TestApp;
let c: TenantClient;
beforeAll(async () => {
  t = await startTestApp();
  c = new TenantClient(t.baseUrl, (await t.tenantWithKey(["kv:read", "kv:write"])).secret);
});
afterAll(() => t?.close());

const put = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  c.request("PUT", path, body, headers);
const json = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe("buckets", () => {
  it("are created, updated, listed, read and deleted", async () => {
    const created = await c.json("PUT", "/v1/kv/config", { history: 5, ttl_seconds: 60 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "config",
      history: 5,
      ttl_seconds: 60,
      last_revision: 0,
    });
    const updated = await c.json("PUT", "/v1/kv/config", { max_value_bytes: 1024 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ history: 5, ttl_seconds: 60, max_value_bytes: 1024 });
    await put("/v1/kv/config/keys/a", "1");
    const info = await c.json("GET", "/v1/kv/config");
    expect(info.body).toMatchObject({ keys: 1, bytes: 1, last_revision: 1 });
    expect((info.body.owner as { epoch: number }).epoch).toBeGreaterThan(0);
    const list = await c.json<{ items: { name: string }[] }>("GET", "/v1/kv");
    expect(list.body.items.map((b) => b.name)).toContain("config");
    expect((await c.request("DELETE", "/v1/kv/config")).status).toBe(204);
    expect((await c.request("GET", "/v1/kv/config")).status).toBe(404);
    expect((await c.request("GET", "/v1/kv/config/keys/a")).status).toBe(404);
  });

  it("keep the mode they were created with (crdt buckets: test/docs/crdt-kv.test.ts)", async () => {
    expect((await c.json("PUT", "/v1/kv/moded", {})).body).toMatchObject({ mode: "standard" });
    const res = await c.json("PUT", "/v1/kv/moded", { mode: "crdt" });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/fixed at creation/);
  });
});

describe("keys", () => {
  beforeAll(async () => {
    await c.json("PUT", "/v1/kv/k", { history: 10 });
  });

  it("store raw bytes (JSON bodies too) and return them with the revision as ETag", async () => {
    const r1 = await put("/v1/kv/k/keys/doc", '{ "a":  1 }', {
      "content-type": "application/json",
    });
    expect(r1.status).toBe(200);
    expect(r1.headers.get("etag")).toBe('"1"');
    const bin = Uint8Array.from([0, 255, 1, 254]);
    await put("/v1/kv/k/keys/bin", bin);
    const got = await c.request("GET", "/v1/kv/k/keys/doc");
    expect(await got.text()).toBe('{ "a":  1 }');
    expect(got.headers.get("etag")).toBe('"1"');
    expect(got.headers.get("strata-create-revision")).toBe("1");
    expect(
      new Uint8Array(await (await c.request("GET", "/v1/kv/k/keys/bin")).arrayBuffer()),
    ).toEqual(bin);
    const head = await c.request("HEAD", "/v1/kv/k/keys/bin");
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe('"2"');
    const asJson = await c.json("GET", "/v1/kv/k/keys/bin", undefined, {
      accept: "application/json",
    });
    expect(asJson.body).toMatchObject({ key: "bin", revision: 2, value_base64: "AP8B/g==" });
  });

  it("may contain slashes, spaces and any UTF-8, percent-encoded or not", async () => {
    for (const key of ["users/42/profile", "a b", "ключ/🔑", "100%", "x/touch"]) {
      const path = `/v1/kv/k/keys/${encodeURIComponent(key)}`;
      expect((await put(path, key)).status).toBe(200);
      expect(await (await c.request("GET", path)).text()).toBe(key);
    }
    expect(await (await c.request("GET", "/v1/kv/k/keys/users/42/profile")).text()).toBe(
      "users/42/profile",
    );
    const listed = await c.json<{ items: { key: string }[] }>(
      "GET",
      "/v1/kv/k/keys?prefix=users%2F",
    );
    expect(listed.body.items.map((i) => i.key)).toEqual(["users/42/profile"]);
  });

  it("compare-and-swap with If-Match, create-only with If-None-Match: *", async () => {
    const first = await put("/v1/kv/k/keys/cas", "a", { "if-none-match": "*" });
    expect(first.status).toBe(200);
    const rev = first.headers.get("etag")!;
    const again = await put("/v1/kv/k/keys/cas", "b", { "if-none-match": "*" });
    expect(again.status).toBe(412);
    expect(await json(again)).toMatchObject({
      code: "precondition_failed",
      current_revision: Number(JSON.parse(rev)),
    });
    const swapped = await put("/v1/kv/k/keys/cas", "b", { "if-match": rev });
    expect(swapped.status).toBe(200);
    const stale = await put("/v1/kv/k/keys/cas", "c", { "if-match": rev });
    expect(stale.status).toBe(412);
    expect((await json(stale)).current_revision).toBe(
      Number(JSON.parse(swapped.headers.get("etag")!)),
    );
    expect(await (await c.request("GET", "/v1/kv/k/keys/cas")).text()).toBe("b");
    expect((await put("/v1/kv/k/keys/nope", "x", { "if-match": "*" })).status).toBe(412);
    expect((await put("/v1/kv/k/keys/nope", "x", { "if-match": "abc" })).status).toBe(400);
  });

  it("delete, conditionally or not; a missing key is 404", async () => {
    const { headers } = await put("/v1/kv/k/keys/gone", "x");
    expect(
      (await c.request("DELETE", "/v1/kv/k/keys/gone", undefined, { "if-match": '"1"' })).status,
    ).toBe(412);
    const del = await c.request("DELETE", "/v1/kv/k/keys/gone", undefined, {
      "if-match": headers.get("etag")!,
    });
    expect(del.status).toBe(200);
    expect((await c.request("GET", "/v1/kv/k/keys/gone")).status).toBe(404);
    expect((await c.request("DELETE", "/v1/kv/k/keys/gone")).status).toBe(404);
  });

  it("keep history: ?revision= reads an old value, /history lists them, pruning beyond `history` compacts", async () => {
    await c.json("PUT", "/v1/kv/h", { history: 2 });
    const revs: number[] = [];
    for (const v of ["v1", "v2", "v3"])
      revs.push((await c.json("PUT", "/v1/kv/h/keys/x", v)).body.revision as number);
    expect(revs).toEqual([1, 2, 3]);
    expect(await (await c.request("GET", "/v1/kv/h/keys/x?revision=2")).text()).toBe("v2");
    const hist = await c.json<{ items: { revision: number; op: string }[] }>(
      "GET",
      "/v1/kv/h/history/x",
    );
    expect(hist.body.items.map((i) => i.revision)).toEqual([3, 2]);
    const old = await c.request("GET", "/v1/kv/h/keys/x?revision=1");
    expect(old.status).toBe(410);
    expect(await json(old)).toMatchObject({ code: "compacted", oldest_revision: 2 });
    const watch = await c.request("GET", "/v1/kv/h/events?from_revision=1");
    expect(watch.status).toBe(410);
    expect(await json(watch)).toMatchObject({ code: "compacted", oldest_revision: 2 });
  });

  it("less history in the config drops the older revisions at once and compacts past them", async () => {
    await c.json("PUT", "/v1/kv/shrink", { history: 4 });
    for (const v of ["a1", "a2", "a3", "a4"]) await c.json("PUT", "/v1/kv/shrink/keys/a", v);
    await c.json("PUT", "/v1/kv/shrink/keys/b", "b5");
    const items = async (key: string) =>
      (
        await c.json<{ items: { revision: number }[] }>("GET", `/v1/kv/shrink/history/${key}`)
      ).body.items.map((i) => i.revision);
    expect(await items("a")).toEqual([4, 3, 2, 1]);
    await c.json("PUT", "/v1/kv/shrink", { history: 2 });
    expect(await items("a")).toEqual([4, 3]);
    expect(await items("b")).toEqual([5]);
    const watch = await c.request("GET", "/v1/kv/shrink/events?from_revision=2");
    expect(watch.status).toBe(410);
    expect(await json(watch)).toMatchObject({ code: "compacted", oldest_revision: 3 });
    // Back to last value only: the next write keeps just the newest revision.
    await c.json("PUT", "/v1/kv/shrink", { history: 1 });
    expect(await items("a")).toEqual([4]);
    await c.json("PUT", "/v1/kv/shrink/keys/a", "a6");
    expect(await items("a")).toEqual([6]);
    expect(await (await c.request("GET", "/v1/kv/shrink/keys/a")).text()).toBe("a6");
  });
});

describe("bad input", () => {
  beforeAll(async () => {
    await c.json("PUT", "/v1/kv/strict", { max_value_bytes: 8, max_bytes: 20 });
  });

  it("rejects bad keys and oversized values, and writes nothing", async () => {
    const long = "k".repeat(1025);
    for (const path of [
      `/v1/kv/strict/keys/${long}`,
      "/v1/kv/strict/keys/a%0Ab",
      "/v1/kv/strict/keys/",
    ]) {
      const res = await put(path, "x");
      expect(res.status, path).toBe(400);
      expect((await json(res)).errors).toEqual([expect.objectContaining({ path: "path.key" })]);
    }
    // Not UTF-8: the router refuses it before it reaches us.
    expect((await put("/v1/kv/strict/keys/%FF", "x")).status).toBe(400);
    const big = await put("/v1/kv/strict/keys/big", "123456789");
    expect(big.status).toBe(413);
    expect(await json(big)).toMatchObject({ code: "payload_too_large", limit_bytes: 8 });
    await put("/v1/kv/strict/keys/a", "12345678");
    await put("/v1/kv/strict/keys/b", "12345678");
    const full = await put("/v1/kv/strict/keys/c", "12345678");
    expect(full.status).toBe(409);
    expect((await json(full)).code).toBe("bucket_full");
    const info = await c.json("GET", "/v1/kv/strict");
    expect(info.body).toMatchObject({ keys: 2, bytes: 16, last_revision: 2 });
    expect((await c.json("PUT", "/v1/kv/strict/keys/x", "1", { "strata-ttl": "-1" })).status).toBe(
      400,
    );
  });
});

describe("tenancy", () => {
  it("another tenant's bucket is not found; patterns and scopes are enforced", async () => {
    await c.json("PUT", "/v1/kv/private", {});
    await put("/v1/kv/private/keys/secret", "s");
    const other = new TenantClient(
      t.baseUrl,
      (await t.tenantWithKey(["kv:read", "kv:write"])).secret,
    );
    expect((await other.request("GET", "/v1/kv/private/keys/secret")).status).toBe(404);
    expect((await other.request("GET", "/v1/kv/private")).status).toBe(404);
    expect((await other.request("PUT", "/v1/kv/private/keys/secret", "x")).status).toBe(404);
    expect((await other.request("GET", "/v1/kv/private/events")).status).toBe(404);
    const reader = new TenantClient(
      t.baseUrl,
      (await t.tenantWithKey(["kv:read"], { patterns: ["app.*"] })).secret,
    );
    expect((await reader.request("PUT", "/v1/kv/app.one", {})).status).toBe(403);
    expect((await reader.request("GET", "/v1/kv/other/keys/x")).status).toBe(403);
  });
});
