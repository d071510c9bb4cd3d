import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { TenantClient } from "../support/tenant-client.js";
import { refusedUpgrade } from "../support/ws-client.js";
import { LocalCluster } from "./support/local-cluster.js";

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

interface NodeRow {
  name: string;
  roles: string[];
  status: string;
}

async function nodes(c: LocalCluster, via: number): Promise<NodeRow[]> {
  const res = await c.admin(via).json<{ items: NodeRow[] }>("GET", "/v1/admin/nodes");
  expect(res.status).toBe(200);
  return res.body.items;
}

describe("STRATA_ROLE", () => {
  it("a worker node serves no tenant API and owns nothing, but runs the heartbeat monitor", async () => {
    cluster = await LocalCluster.start(0);
    await cluster.addNode({ STRATA_ROLE: "api" });
    await cluster.addNode({ STRATA_ROLE: "api" });
    const worker = await cluster.addNode({ STRATA_ROLE: "worker" });
    const admin = cluster.admin(0);
    const t = await admin.json<{ id: string }>("POST", "/v1/admin/tenants", {
      name: `t-${randomBytes(3).toString("hex")}`,
    });
    const k = await admin.json<{ secret: string }>("POST", `/v1/admin/tenants/${t.body.id}/keys`, {
      name: "k",
      scopes: ["streams:read", "streams:write", "kv:read", "kv:write"],
    });
    const key = k.body.secret;

    // The worker: health, readiness and metrics only; tenant, operator and WebSocket API 404.
    const onWorker = new TenantClient(worker.base, key);
    const denied = await onWorker.json<{ code: string }>("GET", "/v1/streams");
    expect(denied.status).toBe(404);
    expect(denied.body.code).toBe("not_found");
    expect((await onWorker.request("PUT", "/v1/kv/b/keys/k", "v")).status).toBe(404);
    expect((await cluster.admin(worker.index).request("GET", "/v1/admin/nodes")).status).toBe(404);
    expect((await fetch(`${worker.base}/health/ready`)).status).toBe(200);
    expect((await cluster.admin(worker.index).request("GET", "/metrics")).status).toBe(200);
    const ws = await refusedUpgrade(`${worker.base.replace("http", "ws")}/v1/ws`, {
      authorization: `Bearer ${key}`,
    });
    expect(ws.status).toBe(404);

    // API nodes serve everything, and place streams and buckets on API nodes only.
    const c0 = new TenantClient(cluster.nodes[0]!.base, key);
    const c1 = new TenantClient(cluster.nodes[1]!.base, key);
    for (let i = 0; i < 12; i++) {
      const c = i % 2 ? c1 : c0;
      expect((await c.json("PUT", `/v1/streams/s${i}`, {})).status).toBe(201);
      expect((await c.request("POST", `/v1/streams/s${i}/messages`, `m${i}`)).status).toBe(201);
      expect((await c.json("PUT", `/v1/kv/b${i}`, {})).status).toBe(201);
      expect((await c.request("PUT", `/v1/kv/b${i}/keys/k`, `v${i}`)).status).toBe(200);
    }
    const placement = await admin.json<{ items: { node_id: string; kind: string }[] }>(
      "GET",
      "/v1/admin/placement?limit=1000",
    );
    expect(placement.body.items.length).toBeGreaterThanOrEqual(24);
    for (const p of placement.body.items) expect(p.node_id).not.toMatch(/^node-2-/);

    const listed = await nodes(cluster, 0);
    expect(listed.find((n) => n.name === "node-2")?.roles).toEqual(["worker"]);
    expect(listed.find((n) => n.name === "node-0")?.roles).toEqual(["api"]);

    // Only the worker runs the heartbeat monitor: it declares a killed API node dead.
    await cluster.stop(1, "SIGKILL");
    const deadline = Date.now() + 20_000;
    while ((await nodes(cluster, 0)).find((n) => n.name === "node-1")?.status !== "dead") {
      if (Date.now() > deadline) throw new Error("node-1 was not declared dead");
      await new Promise((r) => setTimeout(r, 200));
    }
    // Its streams and buckets are served by the surviving API node.
    for (let i = 0; i < 12; i++) {
      const read = await c0.request("GET", `/v1/kv/b${i}/keys/k`);
      expect(await read.text()).toBe(`v${i}`);
      expect((await c0.request("POST", `/v1/streams/s${i}/messages`, "after")).status).toBe(201);
    }
  });
});
