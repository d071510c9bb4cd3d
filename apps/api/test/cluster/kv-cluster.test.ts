import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { TenantClient } from "../support/tenant-client.js";
import { TestWsClient } from "../support/ws-client.js";
import { LocalCluster } from "./support/local-cluster.js";

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LEASE_TTL_MS = 2000;

/** A tenant with a KV key; returns its secret. */
async function kvKey(c: LocalCluster): Promise<string> {
  const admin = c.admin(c.running()[0]!.index);
  const t = await admin.json<{ id: string }>("POST", "/v1/admin/tenants", {
    name: `t-${randomBytes(3).toString("hex")}`,
  });
  const k = await admin.json<{ secret: string }>("POST", `/v1/admin/tenants/${t.body.id}/keys`, {
    name: "k",
    scopes: ["kv:read", "kv:write"],
  });
  return k.body.secret;
}

/** The node owning the (only) bucket, as the operator placement API says. */
async function bucketOwner(c: LocalCluster) {
  const admin = c.admin(c.running()[0]!.index);
  const res = await admin.json<{ items: { node_id: string | null; epoch: number }[] }>(
    "GET",
    "/v1/admin/placement?kind=bucket",
  );
  expect(res.body.items).toHaveLength(1);
  return { node: c.node(res.body.items[0]!.node_id), epoch: res.body.items[0]!.epoch };
}

const put = (c: TenantClient, path: string, value: string, headers: Record<string, string> = {}) =>
  c.request("PUT", path, value, headers);

/** A CAS increment of `path`: the status of the conditional PUT (0: no answer). */
async function increment(c: TenantClient, path: string): Promise<number> {
  try {
    const got = await c.request("GET", path);
    if (got.status !== 200) return got.status;
    const n = Number(await got.text());
    const res = await put(c, path, String(n + 1), { "if-match": got.headers.get("etag")! });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

describe("kv in a cluster", () => {
  it("any node accepts writes; CAS stays exact across nodes; a new owner serves after kill -9", async () => {
    cluster = await LocalCluster.start(3);
    const key = await kvKey(cluster);
    const clients = () => cluster!.running().map((n) => new TenantClient(n.base, key));
    const [c0, c1, c2] = clients() as [TenantClient, TenantClient, TenantClient];

    expect((await c0.json("PUT", "/v1/kv/cfg", { history: 5 })).status).toBe(201);
    const created = await put(c0, "/v1/kv/cfg/keys/a", "v1", { "if-none-match": "*" });
    expect(created.status).toBe(200);
    const rev1 = created.headers.get("etag")!;
    expect((await put(c0, "/v1/kv/cfg/keys/a", "again", { "if-none-match": "*" })).status).toBe(
      412,
    );

    // CAS through node 1 wins; the same CAS through node 2 is stale.
    const swapped = await put(c1, "/v1/kv/cfg/keys/a", "v2", { "if-match": rev1 });
    expect(swapped.status).toBe(200);
    expect((await put(c2, "/v1/kv/cfg/keys/a", "v3", { "if-match": rev1 })).status).toBe(412);
    const read = await c2.request("GET", "/v1/kv/cfg/keys/a");
    expect(await read.text()).toBe("v2");
    expect(read.headers.get("etag")).toBe(swapped.headers.get("etag"));
    expect((await put(c2, "/v1/kv/cfg/keys/b", "plain")).status).toBe(200);
    expect(await (await c1.request("GET", "/v1/kv/cfg/keys/b")).text()).toBe("plain");
    expect((await c1.request("DELETE", "/v1/kv/cfg/keys/b")).status).toBe(200);
    expect((await c0.request("GET", "/v1/kv/cfg/keys/b")).status).toBe(404);

    // A batch frame on a node that does not own the bucket goes to the owner whole;
    // its entries' outcomes (a stale condition among them) come back one by one.
    const { node: holder } = await bucketOwner(cluster);
    const other = cluster.running().find((n) => n.index !== holder.index)!;
    const ws = await TestWsClient.connect(other.base, { key, encoding: "msgpack" });
    try {
      const entries = [
        { key: "x", value_text: "1" },
        { key: "a", value_text: "stale", if_revision: Number(rev1.replaceAll('"', "")) },
        { key: "y", value_text: "2" },
      ];
      ws.send({ type: "kv.put_batch", id: "fwd", bucket: "cfg", entries });
      const answer = await ws.waitFor((f) => f.id === "fwd");
      expect(answer.type).toBe("kv.results");
      const [x, stale, y] = answer.results as { revision?: number; error?: { code: string } }[];
      expect(stale!.error).toMatchObject({ code: "precondition_failed", status: 412 });
      expect(y!.revision).toBe(x!.revision! + 1);
      ws.send({ type: "kv.get_batch", id: "read", bucket: "cfg", keys: ["x", "a", "y"] });
      const read = await ws.waitFor((f) => f.id === "read");
      const values = (read.results as { value: Uint8Array }[]).map((r) =>
        Buffer.from(r.value).toString(),
      );
      expect(values).toEqual(["1", "v2", "2"]);
    } finally {
      await ws.close();
    }

    // A counter incremented by CAS from clients on all three nodes.
    expect((await put(c0, "/v1/kv/cfg/keys/n", "0", { "if-none-match": "*" })).status).toBe(200);
    const statuses = (
      await Promise.all(
        clients().map(async (c) => {
          const out: number[] = [];
          for (let i = 0; i < 25; i++) out.push(await increment(c, "/v1/kv/cfg/keys/n"));
          return out;
        }),
      )
    ).flat();
    const ok = statuses.filter((s) => s === 200).length;
    expect(statuses.every((s) => s === 200 || s === 412)).toBe(true);
    expect(ok).toBeGreaterThan(0);
    expect(await (await c1.request("GET", "/v1/kv/cfg/keys/n")).text()).toBe(String(ok));

    // kill -9 of the bucket's owner: the other nodes serve writes again within 2× the lease TTL.
    const { node: owner, epoch } = await bucketOwner(cluster);
    const killedAt = Date.now();
    await cluster.stop(owner.index, "SIGKILL");
    const others = clients();
    expect(others).toHaveLength(2);
    const firstOk = await Promise.all(
      others.map(async (c, i) => {
        for (let n = 0; Date.now() - killedAt < LEASE_TTL_MS * 4; n++) {
          const res = await put(c, "/v1/kv/cfg/keys/after", `${i}-${n}`).catch(() => null);
          if (res?.status === 200) return Date.now() - killedAt;
          expect([null, 503]).toContain(res?.status ?? null);
          await sleep(100);
        }
        return Infinity;
      }),
    );
    for (const ms of firstOk) expect(ms).toBeLessThan(LEASE_TTL_MS * 2 + 500);
    expect((await increment(others[0]!, "/v1/kv/cfg/keys/n")).valueOf()).toBe(200);
    expect(await (await others[1]!.request("GET", "/v1/kv/cfg/keys/n")).text()).toBe(
      String(ok + 1),
    );
    const after = await bucketOwner(cluster);
    expect(after.node.name).not.toBe(owner.name);
    expect(after.epoch).toBeGreaterThan(epoch);
  }, 90_000);

  it("a fourth node joining takes about a quarter of the buckets; no CAS write is lost or doubled", async () => {
    cluster = await LocalCluster.start(3, {
      STRATA_REBALANCE_INTERVAL_MS: "300",
      STRATA_REBALANCE_COOLDOWN_MS: "1000",
      STRATA_REBALANCE_SHARE: "0.5",
    });
    const key = await kvKey(cluster);
    const buckets = Array.from({ length: 40 }, (_, i) => `b${i}`);
    const c0 = new TenantClient(cluster.nodes[0]!.base, key);
    for (const b of buckets) {
      expect((await c0.json("PUT", `/v1/kv/${b}`, {})).status).toBe(201);
      expect((await put(c0, `/v1/kv/${b}/keys/n`, "0")).status).toBe(200);
    }
    const before = await cluster.placements("bucket");
    expect(before).toHaveLength(buckets.length);
    const epochs = new Map(before.map((p) => [p.resource, p.epoch]));

    const fourth = await cluster.addNode();
    const ok = new Map(buckets.map((b) => [b, 0]));
    const deadline = Date.now() + 30_000;
    let share = 0;
    // CAS increments through every node while buckets move: each acknowledged one must count once.
    for (let round = 0; Date.now() < deadline; round++) {
      const clients = cluster.nodes.map((n) => new TenantClient(n.base, key));
      await Promise.all(
        buckets.map(async (b, i) => {
          const status = await increment(
            clients[(i + round) % clients.length]!,
            `/v1/kv/${b}/keys/n`,
          );
          if (status === 200) ok.set(b, ok.get(b)! + 1);
          else expect([412, 503]).toContain(status);
        }),
      );
      const rows = await cluster.placements("bucket");
      share = rows.filter((r) => r.node_id?.startsWith(`${fourth.name}-`)).length / buckets.length;
      if (share >= 0.15 && round >= 3) break;
      await sleep(300);
    }
    expect(share).toBeGreaterThanOrEqual(0.15);
    expect(share).toBeLessThanOrEqual(0.4);

    const after = await cluster.placements("bucket");
    expect(after).toHaveLength(buckets.length);
    for (const p of after) {
      // A moved bucket was claimed anew: its epoch went up.
      if (p.node_id?.startsWith(`${fourth.name}-`))
        expect(p.epoch).toBeGreaterThan(epochs.get(p.resource)!);
    }
    for (const [i, b] of buckets.entries()) {
      const via = new TenantClient(cluster.nodes[i % 4]!.base, key);
      expect(await (await via.request("GET", `/v1/kv/${b}/keys/n`)).text()).toBe(String(ok.get(b)));
      // Dense revisions: the initial put and one per acknowledged increment.
      const info = await via.json<{ last_revision: number }>("GET", `/v1/kv/${b}`);
      expect(info.body.last_revision).toBe(ok.get(b)! + 1);
    }
  }, 120_000);
});
