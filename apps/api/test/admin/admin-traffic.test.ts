import { type TenantTrafficResponse, tenantTrafficResponseSchema } from "@strata/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalCluster } from "../cluster/support/local-cluster.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { TenantClient } from "../support/tenant-client.js";

async function traffic(admin: TenantClient): Promise<TenantTrafficResponse> {
  const res = await admin.json("GET", "/v1/admin/tenants/traffic");
  expect(res.status).toBe(200);
  return tenantTrafficResponseSchema.parse(res.body);
}

const texts = (n: number, text: string) => ({
  messages: Array.from({ length: n }, () => ({ value_text: text })),
});

describe("tenant traffic on one node", () => {
  let t: TestApp;
  let admin: TenantClient;
  let busy: { tenantId: string; client: TenantClient };
  let quiet: { tenantId: string; client: TenantClient };

  beforeAll(async () => {
    t = await startTestApp();
    admin = new TenantClient(t.baseUrl, t.adminToken);
    const scopes = ["streams:read", "streams:write", "kv:read", "kv:write", "docs:write"];
    const make = async (name: string) => {
      const k = await t.tenantWithKey(scopes, { name });
      return { tenantId: k.tenantId, client: new TenantClient(t.baseUrl, k.secret) };
    };
    busy = await make("busy");
    quiet = await make("quiet");
  });
  afterAll(() => t?.close());

  it("ranks tenants by what they wrote, with operations and bytes by kind", async () => {
    await busy.client.createStream("orders");
    expect((await busy.client.append("orders", texts(8, "12345"))).status).toBe(201);
    expect((await busy.client.append("orders", "abc")).status).toBe(201);
    await busy.client.json("PUT", "/v1/kv/cfg", {});
    for (const v of ["on", "off"])
      expect((await busy.client.request("PUT", "/v1/kv/cfg/keys/flag", v)).status).toBe(200);
    await quiet.client.createStream("audit");
    expect((await quiet.client.append("audit", "0123456789")).status).toBe(201);
    expect((await quiet.client.request("POST", "/v1/docs", { title: "x" })).status).toBe(201);

    const body = await traffic(admin);
    expect(body.window_seconds).toBe(60);
    expect(body.nodes).toHaveLength(1);
    expect(body.unreachable_nodes).toEqual([]);
    expect(body.items.map((i) => i.tenant.name)).toEqual(["busy", "quiet"]);
    const [first, second] = body.items;
    const busyCounts = { messages_appended: 9, kv_writes: 2, doc_changes: 0, bytes_written: 48 };
    expect(first).toMatchObject({
      tenant: { id: busy.tenantId, name: "busy" },
      recent: busyCounts,
      totals: busyCounts,
      ops_per_second: 0.18,
      bytes_per_second: 0.8,
    });
    expect(second).toMatchObject({
      tenant: { id: quiet.tenantId, name: "quiet" },
      recent: { messages_appended: 1, kv_writes: 0, doc_changes: 1, bytes_written: 10 },
    });
  });

  it("does not count an append a quota refused", async () => {
    const res = await admin.json("PUT", `/v1/admin/tenants/${quiet.tenantId}/quotas`, {
      messages_per_second: 1,
    });
    expect(res.status).toBe(200);
    const before = (await traffic(admin)).items.find((i) => i.tenant.name === "quiet")!;
    // A batch larger than the rate is refused before anything is written; a single message fits.
    expect((await quiet.client.append("audit", texts(50, "a"))).status).toBe(413);
    expect((await quiet.client.append("audit", "b")).status).toBe(201);
    const after = (await traffic(admin)).items.find((i) => i.tenant.name === "quiet")!;
    expect(after.totals.messages_appended).toBe(before.totals.messages_appended + 1);
  });

  it("is for the operator only", async () => {
    expect((await busy.client.request("GET", "/v1/admin/tenants/traffic")).status).toBe(401);
    expect((await admin.request("GET", "/internal/admin/traffic")).status).not.toBe(200);
  });
});

describe("tenant traffic across two nodes", { timeout: 90_000 }, () => {
  let cluster: LocalCluster;
  beforeAll(async () => {
    cluster = await LocalCluster.start(2);
  }, 90_000);
  afterAll(() => cluster?.close());

  it("adds up what each node admitted", async () => {
    const key = await cluster.tenantKey();
    const [via0, via1] = cluster.nodes.map((n) => new TenantClient(n.base, key));
    expect((await via0!.createStream("ticks")).status).toBe(201);
    expect((await via0!.append("ticks", texts(2, "xy"))).status).toBe(201);
    // Node 1 forwards to the owner if need be; it counts the append it admitted.
    expect((await via1!.append("ticks", texts(3, "xyz"))).status).toBe(201);

    for (const via of [0, 1]) {
      const body = await traffic(cluster.admin(via));
      expect(body.nodes).toHaveLength(2);
      expect(body.unreachable_nodes).toEqual([]);
      expect(body.items).toHaveLength(1);
      expect(body.items[0]!.totals).toEqual({
        messages_appended: 5,
        kv_writes: 0,
        doc_changes: 0,
        bytes_written: 13,
      });
    }
  });
});
