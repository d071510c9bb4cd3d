import { afterEach, describe, expect, it } from "vitest";
import { TenantClient } from "../support/tenant-client.js";
import { expectConsistent, History, writeUntil } from "./support/history.js";
import { LocalCluster } from "./support/local-cluster.js";

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LEASE_TTL_MS = 2000;

/** The stream's owner node, as the placement API says. */
async function ownerOf(c: LocalCluster, client: TenantClient, stream: string) {
  const info = await client.json<{ owner: { node_id: string; epoch: number } | null }>(
    "GET",
    `/v1/streams/${stream}`,
  );
  return { node: c.node(info.body.owner?.node_id), epoch: info.body.owner!.epoch };
}

describe("failover", () => {
  it("kill -9 of the owner: every durable ack survives, seqs stay dense, a new owner serves within 2× the lease TTL", async () => {
    cluster = await LocalCluster.start(3);
    const key = await cluster.tenantKey();
    const clients = () => cluster!.running().map((n) => new TenantClient(n.base, key));
    await clients()[0]!.createStream("orders");
    await clients()[0]!.append("orders", "first");
    const { node: owner } = await ownerOf(cluster, clients()[0]!, "orders");
    // Clients talk to the other nodes only; their writes are forwarded to the owner.
    const others = () => clients().filter((c) => c.baseUrl !== owner.base);
    // The owner keeps the live counters; every node answers them, not only the owner.
    for (const c of clients()) {
      const info = await c.json<{ last_seq: number; messages: number }>(
        "GET",
        "/v1/streams/orders",
      );
      expect(info.body, c.baseUrl).toMatchObject({ last_seq: 1, messages: 1 });
    }

    const history = new History();
    history.ack(1, "first");
    let stop = false;
    const writing = writeUntil(others, "orders", history, () => stop);
    await sleep(1000);
    const killedAt = Date.now();
    await cluster.stop(owner.index, "SIGKILL");
    await sleep(LEASE_TTL_MS * 2 + 1000);
    stop = true;
    await writing;

    const firstAckAfter = history.ackTimes.filter((t) => t > killedAt).sort((a, b) => a - b)[0];
    expect(firstAckAfter, "no append was acknowledged after the owner died").toBeDefined();
    expect(firstAckAfter! - killedAt).toBeLessThan(LEASE_TTL_MS * 2);
    expect(history.failures).toEqual([]);
    const stored = await others()[0]!.readAll("orders");
    expectConsistent("kill9", stored, history);
    const { node: newOwner, epoch } = await ownerOf(cluster, others()[0]!, "orders");
    expect(newOwner.name).not.toBe(owner.name);
    expect(epoch).toBeGreaterThan(1);
  }, 90_000);

  it("SIGSTOP of the owner past its lease: its pending writes commit nothing, it steps down and a split-brain alert appears", async () => {
    cluster = await LocalCluster.start(3);
    const key = await cluster.tenantKey();
    const clients = () => cluster!.running().map((n) => new TenantClient(n.base, key));
    await clients()[0]!.createStream("ledger");
    await clients()[0]!.append("ledger", "first");
    const { node: owner } = await ownerOf(cluster, clients()[0]!, "ledger");
    const onOwner = new TenantClient(owner.base, key);
    const others = () => clients().filter((c) => c.baseUrl !== owner.base);

    const history = new History();
    history.ack(1, "first");
    let stop = false;
    const writing = writeUntil(others, "ledger", history, () => stop);
    await sleep(500);
    await cluster.stop(owner.index, "SIGSTOP");
    // Appends sent straight to the paused owner: it will try to commit them after it wakes up.
    const stale = Array.from({ length: 5 }, (_, i) =>
      onOwner.append("ledger", `stale-${i}`, { "strata-msg-id": `stale-${i}` }).then(
        (r) => ({ status: r.status, seq: r.body.seq, value: `stale-${i}` }),
        () => ({ status: 0, seq: 0, value: `stale-${i}` }),
      ),
    );
    await sleep(LEASE_TTL_MS * 2 + 1500);
    owner.proc.child.kill("SIGCONT");
    for (const s of await Promise.all(stale)) if (s.status === 201) history.ack(s.seq, s.value);
    await sleep(1500);
    stop = true;
    await writing;

    expect(history.failures).toEqual([]);
    expectConsistent("sigstop", await others()[0]!.readAll("ledger"), history);
    // The woken node finds its lease gone at its next heartbeat and records the split brain.
    let splitBrain: { kind: string; details: { node_id: string } } | undefined;
    for (
      const deadline = Date.now() + 8000;
      !splitBrain && Date.now() < deadline;
      await sleep(250)
    ) {
      const alerts = await cluster.admin(cluster.running()[0]!.index).json<{
        items: { kind: string; details: { node_id: string } }[];
      }>("GET", "/v1/admin/alerts");
      splitBrain = alerts.body.items.find((a) => a.kind === "split_brain");
    }
    expect(splitBrain, "no split_brain alert").toBeDefined();
    expect(splitBrain!.details.node_id.startsWith(`${owner.name}-`)).toBe(true);
  }, 90_000);

  it("a fourth node joining takes about a quarter of the streams; none is lost or doubly owned", async () => {
    cluster = await LocalCluster.start(3, {
      STRATA_REBALANCE_INTERVAL_MS: "300",
      STRATA_REBALANCE_COOLDOWN_MS: "1000",
      STRATA_REBALANCE_SHARE: "0.5",
    });
    const key = await cluster.tenantKey();
    const c = new TenantClient(cluster.nodes[0]!.base, key);
    const names = Array.from({ length: 80 }, (_, i) => `s${i}`);
    for (const n of names) {
      await c.createStream(n);
      expect((await c.append(n, `${n}-1`)).status).toBe(201);
    }
    const fourth = await cluster.addNode();
    const owned = () => cluster!.placements("stream");
    const deadline = Date.now() + 30_000;
    let share = 0;
    while (Date.now() < deadline) {
      await Promise.all(names.map((n) => c.append(n, `${n}-x${Date.now()}`)));
      const rows = await owned();
      share = rows.filter((r) => r.node_id?.startsWith(`${fourth.name}-`)).length / names.length;
      if (share >= 0.15) break;
      await sleep(500);
    }
    expect(share).toBeGreaterThanOrEqual(0.15);
    expect(share).toBeLessThanOrEqual(0.4);
    const rows = await owned();
    expect(rows).toHaveLength(names.length);
    // Every stream still takes appends, through any node, with dense seqs.
    for (const n of names) {
      const via = new TenantClient(cluster.nodes[names.indexOf(n) % 4]!.base, key);
      expect((await via.append(n, `${n}-last`)).status).toBe(201);
      const seqs = (await via.readAll(n)).map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
  }, 120_000);
});
