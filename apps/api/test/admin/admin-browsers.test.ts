import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SseReader } from "../support/sse.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { TenantClient } from "../support/tenant-client.js";

let t: TestApp;
let admin: TenantClient;
let acme: TenantClient;
let acmeId: string;
beforeAll(async () => {
  t = await startTestApp();
  admin = new TenantClient(t.baseUrl, t.adminToken);
  const key = await t.tenantWithKey(["streams:read", "streams:write", "kv:read", "kv:write"], {
    name: "acme",
  });
  acmeId = key.tenantId;
  acme = new TenantClient(t.baseUrl, key.secret);
  await t.tenantWithKey(["streams:read"], { name: "other" });
});
afterAll(() => t?.close());

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("operator stream browser", () => {
  it("shows a tenant's stream with config, consumers and lag, by tenant name or id", async () => {
    await acme.createStream("orders.eu", { max_messages: 1000 });
    for (const v of ["one", '{"n":2}', "three"]) await acme.append("orders.eu", v);
    await acme.json("PUT", "/v1/streams/orders.eu/consumers/billing", { acked_seq: 1 });

    for (const ref of ["acme", acmeId]) {
      const s = await admin.json<Record<string, unknown>>(
        "GET",
        `/v1/admin/streams/${ref}/orders.eu`,
      );
      expect(s.status).toBe(200);
      expect(s.body).toMatchObject({
        tenant: { id: acmeId, name: "acme" },
        name: "orders.eu",
        last_seq: 3,
        messages: 3,
        config: expect.objectContaining({ max_messages: 1000 }),
        owner: expect.objectContaining({ epoch: 1 }),
        consumers: [expect.objectContaining({ name: "billing", acked_seq: 1, lag: 2 })],
        tiers: {
          hot: { messages: 3, bytes: expect.any(Number) },
          cold: { segments: 0, messages: 0, object_bytes: 0 },
        },
      });
    }
  });

  it("browses messages from a seq a page at a time", async () => {
    const page = await admin.json<{
      messages: { seq: number; value_base64: string }[];
      next_seq: number;
    }>("GET", "/v1/admin/streams/acme/orders.eu/messages?from_seq=2&limit=1");
    expect(page.body.messages).toEqual([
      expect.objectContaining({ seq: 2, value_base64: b64('{"n":2}') }),
    ]);
    expect(page.body.next_seq).toBe(3);
    const bad = await admin.json<{ errors: { path: string }[] }>(
      "GET",
      "/v1/admin/streams/acme/orders.eu/messages?from_seq=0",
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.path).toBe("query.from_seq");
  });

  it("answers 404 for another tenant's stream, an unknown tenant, and without the operator token", async () => {
    expect((await admin.request("GET", "/v1/admin/streams/other/orders.eu")).status).toBe(404);
    expect((await admin.request("GET", "/v1/admin/streams/nobody/orders.eu")).status).toBe(404);
    const asTenant = await acme.request("GET", "/v1/admin/streams/acme/orders.eu");
    expect(asTenant.status).toBe(401);
  });

  it("lists streams with messages and bytes", async () => {
    const list = await admin.json<{ items: Record<string, unknown>[] }>(
      "GET",
      "/v1/admin/streams?tenant=acme",
    );
    expect(list.body.items).toEqual([
      expect.objectContaining({ name: "orders.eu", head: 3, messages: 3, max_lag: 2 }),
    ]);
    expect((list.body.items[0]!.bytes as number) > 0).toBe(true);
  });

  it("purges, then deletes a stream", async () => {
    const purged = await admin.json<{ purged: number }>(
      "POST",
      "/v1/admin/streams/acme/orders.eu/purge",
    );
    expect(purged).toMatchObject({ status: 200, body: { purged: 3 } });
    const read = await acme.json<{ messages: unknown[] }>("GET", "/v1/streams/orders.eu/messages");
    expect(read.body.messages).toEqual([]);
    // Seqs are never reused after a purge.
    expect((await acme.append("orders.eu", "four")).body.seq).toBe(4);

    expect((await admin.request("DELETE", "/v1/admin/streams/acme/orders.eu")).status).toBe(204);
    expect((await acme.request("GET", "/v1/streams/orders.eu")).status).toBe(404);
  });
});

describe("operator KV browser", () => {
  it("lists buckets of every tenant or of one", async () => {
    await acme.json("PUT", "/v1/kv/config", { history: 5 });
    for (const [k, v] of [
      ["app/a", "1"],
      ["app/b", "2"],
      ["app/c", "3"],
      ["db/url", "postgres://x"],
    ])
      await acme.request("PUT", `/v1/kv/config/keys/${k}`, v);
    await acme.request("PUT", "/v1/kv/config/keys/app/a", "1b");

    const all = await admin.json<{ items: Record<string, unknown>[] }>("GET", "/v1/admin/kv");
    expect(all.body.items).toEqual([
      expect.objectContaining({ tenant: { id: acmeId, name: "acme" }, name: "config", keys: 4 }),
    ]);
    const other = await admin.json<{ items: unknown[] }>("GET", "/v1/admin/kv?tenant=other");
    expect(other.body.items).toEqual([]);
    const bucket = await admin.json("GET", "/v1/admin/kv/acme/config");
    expect(bucket.body).toMatchObject({ name: "config", history: 5, last_revision: 5 });
  });

  it("pages keys by prefix", async () => {
    const first = await admin.json<{ items: { key: string }[]; next_after: string | null }>(
      "GET",
      "/v1/admin/kv/acme/config/keys?prefix=app/&limit=2",
    );
    expect(first.body.items.map((e) => e.key)).toEqual(["app/a", "app/b"]);
    expect(first.body.next_after).toBe("app/b");
    const second = await admin.json<{ items: { key: string }[]; next_after: string | null }>(
      "GET",
      `/v1/admin/kv/acme/config/keys?prefix=app/&limit=2&after=${encodeURIComponent("app/b")}`,
    );
    expect(second.body.items.map((e) => e.key)).toEqual(["app/c"]);
    expect(second.body.next_after).toBeNull();
  });

  it("shows a key's value and history, newest first", async () => {
    const e = await admin.json<{
      entry: { value_base64: string; revision: number } | null;
      history: { revision: number; value_base64: string }[];
    }>("GET", `/v1/admin/kv/acme/config/entry?key=${encodeURIComponent("app/a")}`);
    expect(e.body.entry).toMatchObject({ revision: 5, value_base64: b64("1b") });
    expect(e.body.history.map((h) => h.value_base64)).toEqual([b64("1b"), b64("1")]);
    const missing = await admin.json<{ entry: unknown }>(
      "GET",
      "/v1/admin/kv/acme/config/entry?key=nope",
    );
    expect(missing.body).toMatchObject({ entry: null, history: [] });
    expect((await admin.request("GET", "/v1/admin/kv/other/config")).status).toBe(404);
  });

  it("watches a bucket live", async () => {
    const sse = new SseReader();
    const res = await sse.open(`${t.baseUrl}/v1/admin/kv/acme/config/events?prefix=db/`, {
      authorization: `Bearer ${t.adminToken}`,
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    await acme.request("PUT", "/v1/kv/config/keys/app/z", "ignored");
    await acme.request("PUT", "/v1/kv/config/keys/db/url", "postgres://y");
    const [event] = await sse.waitFor(1);
    expect(JSON.parse(event!.data)).toMatchObject({
      key: "db/url",
      op: "put",
      value_base64: b64("postgres://y"),
    });
    sse.close();
  });
});

describe("operator inventory and figures", () => {
  it("says what each tenant stores, largest first, with totals", async () => {
    await acme.createStream("inv");
    await acme.append("inv", "x".repeat(100));
    const inv = await admin.json<{
      items: { tenant: { name: string }; streams: number; buckets: number; bytes: number }[];
      totals: { streams: number; buckets: number; hot_bytes: number; tiered_bytes: number };
    }>("GET", "/v1/admin/inventory");
    expect(inv.body.items.map((i) => i.tenant.name)).toEqual(["acme", "other"]);
    expect(inv.body.items[0]).toMatchObject({ streams: 1, buckets: 1 });
    expect(inv.body.items[0]!.bytes).toBeGreaterThanOrEqual(100);
    expect(inv.body.totals).toMatchObject({ streams: 1, buckets: 1, tiered_bytes: 0 });
    const one = await admin.json<{ items: unknown[] }>("GET", "/v1/admin/inventory?tenant=other");
    expect(one.body.items).toEqual([expect.objectContaining({ streams: 0, buckets: 0, bytes: 0 })]);
  });

  it("samples this node's throughput once a second", async () => {
    for (let i = 0; i < 5; i++) await acme.append("inv", `m${i}`);
    let appends = 0;
    for (let tries = 0; tries < 40 && appends === 0; tries++) {
      await new Promise((r) => setTimeout(r, 250));
      const tp = await admin.json<{
        nodes: { node_id: string; points: { appends: number; requests: number }[] }[];
        total: { appends: number }[];
      }>("GET", "/v1/admin/throughput?limit=10");
      expect(tp.body.nodes).toHaveLength(1);
      appends = tp.body.total.reduce((a, p) => a + p.appends, 0);
    }
    expect(appends).toBeGreaterThan(0);
  });

  it("gives the lag alert threshold with the lag ranking", async () => {
    const lag = await admin.json<{ threshold: number; items: unknown[] }>("GET", "/v1/admin/lag");
    expect(lag.body.threshold).toBe(10_000);
  });
});
