import * as A from "@automerge/automerge";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { LocalCluster } from "../cluster/support/local-cluster.js";
import { type Doc, DocClient } from "./doc-client.js";

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LEASE_TTL_MS = 2000;

async function docsKey(c: LocalCluster): Promise<string> {
  const admin = c.admin(0);
  const t = await admin.json<{ id: string }>("POST", "/v1/admin/tenants", {
    name: `t-${randomBytes(3).toString("hex")}`,
  });
  const k = await admin.json<{ secret: string }>("POST", `/v1/admin/tenants/${t.body.id}/keys`, {
    name: "k",
    scopes: ["docs:read", "docs:write"],
  });
  return k.body.secret;
}

async function ownerOf(c: LocalCluster, id: string) {
  const admin = c.admin(c.running()[0]!.index);
  const res = await admin.json<{
    items: { document_id: string; owner: { node_id: string; epoch: number } | null }[];
  }>("GET", "/v1/admin/docs?limit=500");
  const owner = res.body.items.find((d) => d.document_id === id)?.owner;
  if (!owner?.node_id) return null;
  return { node: c.node(owner.node_id), epoch: owner.epoch };
}

/**
 * Edits the document with its own actor and posts each change; a change
 * whose POST failed is sent again with the next one (as a sync client
 * would), so the acknowledged set only grows. Records every acknowledged
 * change hash, with when it was acknowledged.
 */
async function editUntil(
  client: () => DocClient,
  id: string,
  start: Doc,
  name: string,
  acked: Map<string, number>,
  failures: string[],
  stop: () => boolean,
): Promise<void> {
  let local = A.clone(start);
  let durable = A.clone(start);
  for (let i = 0; !stop(); i++) {
    local = A.change(local, (d) => (d[`${name}-${i}`] = i));
    const pending = A.getChanges(durable, local);
    const res = await client()
      .postChanges(id, pending)
      .catch((err: Error) => ({ status: 0, body: { code: err.message } }));
    if (res.status === 200) {
      for (const c of pending) acked.set(A.decodeChange(c).hash!, Date.now());
      durable = A.merge(durable, local);
    } else {
      failures.push(`${name}-${i}: ${res.status} ${res.body.code ?? ""}`);
      await sleep(50);
    }
  }
}

describe("documents failover", () => {
  it("kill -9 of a document's owner: every acknowledged change survives, a new owner serves it with a higher epoch", async () => {
    cluster = await LocalCluster.start(3);
    const key = await docsKey(cluster);
    const clients = () => cluster!.running().map((n) => new DocClient(n.base, key));
    const { id } = await clients()[0]!.create({ title: "failover" });
    const first = await ownerOf(cluster, id);
    expect(first).not.toBeNull();
    const owner = first!.node;
    const others = () => clients().filter((c) => c.baseUrl !== owner.base);
    const start = await others()[0]!.load(id);

    const acked = new Map<string, number>(A.getHeads(start).map((h) => [h, 0]));
    const failures: string[] = [];
    let stop = false;
    const writers = [0, 1].map((w) =>
      editUntil(
        () => others()[w % others().length]!,
        id,
        start,
        `w${w}`,
        acked,
        failures,
        () => stop,
      ),
    );
    await sleep(1000);
    const killedAt = Date.now();
    await cluster.stop(owner.index, "SIGKILL");
    await sleep(LEASE_TTL_MS * 2 + 1500);
    stop = true;
    await Promise.all(writers);

    const stored = await others()[0]!.load(id);
    const missing = [...acked.keys()].filter((h) => !A.hasHeads(stored, [h]));
    expect(missing, "acknowledged changes lost").toEqual([]);
    expect(acked.size).toBeGreaterThan(10);
    // Both surviving nodes serve the same durable document.
    const heads = await Promise.all(others().map((c) => c.heads(id)));
    expect(heads[1]).toEqual(heads[0]);
    expect([...A.getHeads(stored)].sort()).toEqual(heads[0]);
    // Writes went on after the kill: the document did not stay without an owner.
    const after = await ownerOf(cluster, id);
    expect(after?.node.name).not.toBe(owner.name);
    expect(after!.epoch).toBeGreaterThan(first!.epoch);
    const content = A.toJS(stored);
    for (const w of ["w0", "w1"])
      expect(Object.keys(content).some((k) => k.startsWith(w))).toBe(true);
    // Changes were acknowledged after the kill, by the new owner.
    const ackedAfterKill = [...acked.values()].filter((t) => t > killedAt).length;
    expect(ackedAfterKill, `failed posts: ${failures.join("; ")}`).toBeGreaterThan(0);
  }, 120_000);

  it("SIGSTOP of the owner past its lease: once awake it serves the document the new owner committed, not its stale copy", async () => {
    cluster = await LocalCluster.start(3);
    const key = await docsKey(cluster);
    const clients = () => cluster!.running().map((n) => new DocClient(n.base, key));
    const { id } = await clients()[0]!.create({ title: "paused" });
    const first = (await ownerOf(cluster, id))!;
    const owner = first.node;
    const onOwner = new DocClient(owner.base, key);
    const others = () => clients().filter((c) => c.baseUrl !== owner.base);
    // The owner holds the document loaded.
    const start = await onOwner.load(id);

    const acked = new Map<string, number>();
    const failures: string[] = [];
    let stop = false;
    await cluster.stop(owner.index, "SIGSTOP");
    const writer = editUntil(
      () => others()[0]!,
      id,
      start,
      "w",
      acked,
      failures,
      () => stop,
    );
    await sleep(LEASE_TTL_MS * 2 + 1500);
    owner.proc.child.kill("SIGCONT");
    await sleep(1500);
    stop = true;
    await writer;

    expect(acked.size).toBeGreaterThan(0);
    const expected = await others()[0]!.heads(id);
    // The woken node dropped what it held: it reads what the new owner committed.
    expect(await onOwner.heads(id)).toEqual(expected);
    const stored = await onOwner.load(id);
    expect([...acked.keys()].filter((h) => !A.hasHeads(stored, [h]))).toEqual([]);
    // And writes through it reach the new owner.
    const next = await onOwner.edit(id, stored, (d) => (d.after = true));
    expect(await others()[0]!.heads(id)).toEqual([...A.getHeads(next)].sort());
    const after = (await ownerOf(cluster, id))!;
    expect(after.epoch).toBeGreaterThan(first.epoch);
  }, 120_000);

  it("drain (SIGTERM) of a document's owner: writes through other nodes go on without a failure, none lost", async () => {
    cluster = await LocalCluster.start(3);
    const key = await docsKey(cluster);
    const clients = () => cluster!.running().map((n) => new DocClient(n.base, key));
    const { id } = await clients()[0]!.create({ title: "drained" });
    const first = (await ownerOf(cluster, id))!;
    const others = () => clients().filter((c) => c.baseUrl !== first.node.base);
    const start = await others()[0]!.load(id);

    const acked = new Map<string, number>();
    const failures: string[] = [];
    let stop = false;
    const writer = editUntil(
      () => others()[0]!,
      id,
      start,
      "w",
      acked,
      failures,
      () => stop,
    );
    await sleep(500);
    await cluster.stop(first.node.index, "SIGTERM");
    await sleep(1000);
    stop = true;
    await writer;

    expect(failures).toEqual([]);
    const stored = await others()[0]!.load(id);
    expect([...acked.keys()].filter((h) => !A.hasHeads(stored, [h]))).toEqual([]);
    const after = (await ownerOf(cluster, id))!;
    expect(after.node.name).not.toBe(first.node.name);
  }, 120_000);
});

describe("documents rebalance", () => {
  it("a fourth node joining takes a share of the documents; no acknowledged change is lost, none doubly owned", async () => {
    cluster = await LocalCluster.start(3, {
      STRATA_REBALANCE_INTERVAL_MS: "300",
      STRATA_REBALANCE_COOLDOWN_MS: "1000",
      STRATA_REBALANCE_SHARE: "0.5",
    });
    const key = await docsKey(cluster);
    const c0 = new DocClient(cluster.nodes[0]!.base, key);
    const docs = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const { id } = await c0.create({ n: i });
        return { id, local: await c0.load(id), acked: [] as string[] };
      }),
    );
    const before = await cluster.placements("doc");
    expect(before).toHaveLength(docs.length);
    const epochs = new Map(before.map((p) => [p.resource, p.epoch]));

    const fourth = await cluster.addNode();
    // Generous: each round edits every document through every node, slow on a loaded CI box.
    const deadline = Date.now() + 60_000;
    let share = 0;
    // Edits through every node while documents move: each acknowledged change must be stored.
    for (let round = 0; Date.now() < deadline; round++) {
      const clients = cluster.nodes.map((n) => new DocClient(n.base, key));
      await Promise.all(
        docs.map(async (d, i) => {
          const next = A.change(A.clone(d.local), (x) => (x[`r${round}`] = i));
          const changes = A.getChanges(d.local, next);
          const res = await clients[(i + round) % clients.length]!.postChanges(d.id, changes);
          if (res.status === 200) {
            d.acked.push(...changes.map((c) => A.decodeChange(c).hash!));
            d.local = next;
          } else expect(res.status).toBe(503);
        }),
      );
      const rows = await cluster.placements("doc");
      share = rows.filter((r) => r.node_id?.startsWith(`${fourth.name}-`)).length / docs.length;
      if (share >= 0.1 && round >= 3) break;
      await sleep(300);
    }
    expect(share).toBeGreaterThanOrEqual(0.1);
    expect(share).toBeLessThanOrEqual(0.5);

    const after = await cluster.placements("doc");
    expect(after).toHaveLength(docs.length);
    for (const p of after) {
      // A moved document was claimed anew: its epoch went up.
      if (p.node_id?.startsWith(`${fourth.name}-`))
        expect(p.epoch).toBeGreaterThan(epochs.get(p.resource)!);
    }
    for (const [i, d] of docs.entries()) {
      const stored = await new DocClient(cluster.nodes[i % 4]!.base, key).load(d.id);
      expect(
        d.acked.filter((h) => !A.hasHeads(stored, [h])),
        d.id,
      ).toEqual([]);
    }
  }, 120_000);
});
