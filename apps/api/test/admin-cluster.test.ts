import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeartbeatMonitor } from "../src/cluster/heartbeat-monitor.js";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { SseReader } from "./support/sse.js";
import { TenantClient } from "./support/tenant-client.js";

let t: TestApp;
let admin: TenantClient;
beforeAll(async () => {
  t = await startTestApp({ STRATA_LAG_ALERT_MESSAGES: "3" });
  admin = new TenantClient(t.baseUrl, t.adminToken);
});
afterAll(() => t?.close());

interface AlertJson {
  id: number;
  kind: string;
  resource: string;
  count: number;
  acknowledged_at: string | null;
  resolved_at: string | null;
}

const alerts = async (query = "") =>
  (await admin.json<{ items: AlertJson[]; open: number }>("GET", `/v1/admin/alerts${query}`)).body;

describe("operator cluster API", () => {
  it("lists this node with its heartbeat age and what it owns, and where each stream lives", async () => {
    const key = (await t.tenantWithKey(["streams:read", "streams:write"], { name: "acme" })).secret;
    const c = new TenantClient(t.baseUrl, key);
    await c.createStream("orders.eu");
    await c.append("orders.eu", "x");

    const nodes = await admin.json<{
      items: { id: string; status: string; heartbeat_age_ms: number; owned: { stream: number } }[];
    }>("GET", "/v1/admin/nodes");
    const me = nodes.body.items.find((n) => n.id.startsWith("test-node-"));
    expect(me).toMatchObject({ status: "alive", owned: { stream: 1 } });
    expect(me!.heartbeat_age_ms).toBeLessThan(5000);

    const placement = await admin.json<{ items: Record<string, unknown>[] }>(
      "GET",
      "/v1/admin/placement?kind=stream&tenant=acme",
    );
    expect(placement.body.items).toEqual([
      expect.objectContaining({
        kind: "stream",
        name: "orders.eu",
        tenant: expect.objectContaining({ name: "acme" }),
        node_id: me!.id,
        epoch: 1,
      }),
    ]);
    const none = await admin.json<{ items: unknown[] }>("GET", "/v1/admin/placement?kind=doc");
    expect(none.body.items).toEqual([]);
    const bad = await admin.json<{ errors: { path: string }[] }>(
      "GET",
      "/v1/admin/placement?kind=table",
    );
    expect(bad.body.errors[0]!.path).toBe("query.kind");
  });

  it("reports a node whose lease ran out as down, and resolves it when the node is back", async () => {
    await t.pool.query(
      `insert into nodes (id, address, version, roles, status, lease_expires_at, heartbeat_at)
       values ('ghost:1-0000abcd', 'http://x', 't', '{api}', 'alive', now() - interval '1 second', now() - interval '20 seconds')`,
    );
    const monitor = t.app.get(HeartbeatMonitor);
    await monitor.run();
    await monitor.run(); // idempotent: still one alert, counted once
    const down = (await alerts("?open=true&kind=node_down")).items;
    expect(down).toEqual([expect.objectContaining({ resource: "node:ghost:1", count: 1 })]);
    const { rows } = await t.pool.query("select status from nodes where id = 'ghost:1-0000abcd'");
    expect(rows[0].status).toBe("dead");

    await t.pool.query(
      `insert into nodes (id, address, version, roles, lease_expires_at) values ('ghost:1-1111abcd', 'http://x', 't', '{api}', now() + interval '1 minute')`,
    );
    await monitor.run();
    expect((await alerts("?open=true&kind=node_down")).items).toEqual([]);
  });

  it("raises a lag alert for a consumer past the threshold, and clears it when it catches up", async () => {
    const c = new TenantClient(
      t.baseUrl,
      (await t.tenantWithKey(["streams:read", "streams:write"])).secret,
    );
    await c.createStream("work");
    for (let i = 0; i < 5; i++) await c.append("work", `m${i}`);
    await c.json("PUT", "/v1/streams/work/consumers/slow");
    const monitor = t.app.get(HeartbeatMonitor);
    await monitor.run();
    const lag = (await alerts("?open=true&kind=lag")).items;
    expect(lag).toEqual([expect.objectContaining({ resource: expect.stringMatching(/\/slow$/) })]);
    const ranking = await admin.json<{ items: { consumer: string; lag: number }[] }>(
      "GET",
      "/v1/admin/lag",
    );
    expect(ranking.body.items[0]).toMatchObject({ consumer: "slow", lag: 5 });
    // The streams view shows the same lag, and a live subscriber's position.
    const sse = new SseReader();
    await sse.open(`${t.baseUrl}/v1/streams/work/events?from_seq=1`, {
      authorization: `Bearer ${c.key}`,
    });
    await sse.waitFor(5);
    const view = await admin.json<{
      items: {
        name: string;
        head: number;
        consumers: { lag: number }[];
        subscribers: { lag: number; position: number }[];
        max_lag: number;
      }[];
    }>("GET", "/v1/admin/streams");
    const work = view.body.items.find((i) => i.name === "work")!;
    expect(work).toMatchObject({
      head: 5,
      consumers: [{ lag: 5 }],
      subscribers: [{ position: 5, lag: 0 }],
      max_lag: 5,
    });
    sse.close();
    await c.json("POST", "/v1/streams/work/consumers/slow/ack", { seq: 5 });
    await monitor.run();
    expect((await alerts("?open=true&kind=lag")).items).toEqual([]);
  });

  it("acknowledges and resolves alerts, 404 for unknown ones", async () => {
    await t.pool.query(
      "insert into alerts (kind, resource, message) values ('job_failed', 'retention', 'a job failed')",
    );
    const open = (await alerts("?open=true&kind=job_failed")).items[0]!;
    const acked = await admin.json<AlertJson>("POST", `/v1/admin/alerts/${open.id}/acknowledge`);
    expect(acked.body.acknowledged_at).not.toBeNull();
    const resolved = await admin.json<AlertJson>("POST", `/v1/admin/alerts/${open.id}/resolve`);
    expect(resolved.body.resolved_at).not.toBeNull();
    expect((await admin.request("POST", "/v1/admin/alerts/999999/resolve")).status).toBe(404);
    expect((await admin.request("POST", "/v1/admin/alerts/x/resolve")).status).toBe(400);
  });

  it("lists the background queues", async () => {
    const jobs = await admin.json<{ items: { name: string; failed: number }[] }>(
      "GET",
      "/v1/admin/jobs",
    );
    expect(jobs.body.items.map((j) => j.name)).toEqual([
      "heartbeat-monitor",
      "retention",
      "compaction",
      "tiering",
    ]);
  });

  it("keeps the operator API behind the operator token", async () => {
    const key = (await t.tenantWithKey(["streams:read"])).secret;
    for (const path of [
      "/v1/admin/nodes",
      "/v1/admin/placement",
      "/v1/admin/alerts",
      "/v1/admin/jobs",
    ]) {
      expect((await new TenantClient(t.baseUrl, key).request("GET", path)).status).toBe(401);
    }
  });
});
