import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DashboardHarness, slug } from "./support/dashboard-harness";
import { seedAcme } from "./support/seed";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The lease TTL ApiCluster gives its nodes. */
const LEASE_TTL_MS = 2000;
/** For expect.poll and waitFor: pages stream and refresh, so content lands a little later. */
const WAIT = { timeout: 15_000 };

interface PlacementRow {
  name: string | null;
  node_id: string | null;
  epoch: number;
}

/**
 * Faults as an operator sees them, against a real three-node cluster: a node
 * paused past its lease and woken (split brain), a node killed (dead, its
 * streams taken over with a higher epoch), and a node drained from the UI.
 */
describe("dashboard under node faults and a drain", { timeout: 120_000 }, () => {
  let h: DashboardHarness;
  let key: string;

  beforeAll(async () => {
    h = await DashboardHarness.start(3);
    key = await seedAcme(h);
  }, 180_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === "fail" && h) await h.shot(`failed-${slug(task.name)}`);
  });

  afterAll(() => h?.close(), 60_000);

  it("signs in", async () => {
    await h.signIn();
    await h.page.getByRole("status").filter({ hasText: "3 nodes alive" }).waitFor(WAIT);
  });

  it("shows a split brain (a paused owner woken past its lease) within 5 s, and acknowledges it", async () => {
    // A stream that node-1 owns: its writes will be fenced while node-1 is paused.
    let stream = "";
    for (let i = 0; i < 20 && !stream; i++) {
      await h.api("PUT", `/v1/streams/split.${i}`, {}, { key });
      await h.api("POST", `/v1/streams/split.${i}/messages`, "x", { key, raw: true });
      if ((await h.ownerOf(`split.${i}`, key)).node_id.startsWith("node-1-")) stream = `split.${i}`;
    }
    expect(stream, "no stream landed on node-1").not.toBe("");
    await h.goto("/alerts");
    await h.page.getByRole("heading", { name: "Alerts" }).waitFor();

    let writing = true;
    const writes = (async () => {
      while (writing) {
        await h
          .api("POST", `/v1/streams/${stream}/messages`, "during", { key, raw: true })
          .catch(() => {});
        await sleep(100);
      }
    })();
    h.cluster.signal(1, "SIGSTOP");
    // Appends straight to the paused owner: it tries to commit them when it wakes up.
    const stale = Array.from({ length: 3 }, (_, i) =>
      h
        .api("POST", `/v1/streams/${stream}/messages`, `stale-${i}`, { key, node: 1, raw: true })
        .catch(() => null),
    );
    await sleep(LEASE_TTL_MS * 2 + 1500);
    h.cluster.signal(1, "SIGCONT");
    await Promise.all(stale);
    writing = false;
    await writes;

    // The woken node records the split brain at its next heartbeat; then the open page shows it.
    await expect
      .poll(async () => {
        const a = await h.api<{ items: { kind: string }[] }>("GET", "/v1/admin/alerts?open=true");
        return a.body.items.some((x) => x.kind === "split_brain");
      }, WAIT)
      .toBe(true);
    const row = h.page.locator('tr[data-alert-kind="split_brain"]').first();
    await row.waitFor({ timeout: 5_000 });
    expect(await row.textContent()).toContain("Stale owner");
    expect(await row.textContent()).toContain("node-1-");
    await h.page.locator(".alert-badge").waitFor({ timeout: 5_000 });
    await h.shot("faults-01-alert-split-brain");

    await row.getByRole("button", { name: "Acknowledge" }).click();
    await expect.poll(async () => (await row.textContent()) ?? "", WAIT).toContain("acknowledged");
    await h.shot("faults-02-alert-acknowledged");
  });

  it("shows a stopped node turn dead and its streams move to the other nodes", async () => {
    const nodes = await h.api<{ items: { id: string; name: string; status: string }[] }>(
      "GET",
      "/v1/admin/nodes",
    );
    const victim = nodes.body.items.find((n) => n.name === "node-1" && n.status === "alive")!;
    // After the split brain node-1 rejoined owning nothing: new streams land on it again.
    for (let i = 0; i < 8; i++) {
      await h.api("PUT", `/v1/streams/late.${i}`, {}, { key });
      await h.api("POST", `/v1/streams/late.${i}/messages`, "x", { key, raw: true });
    }
    const placement = await h.api<{ items: PlacementRow[] }>(
      "GET",
      `/v1/admin/placement?kind=stream&node=${victim.id}`,
    );
    const moved = placement.body.items.filter((p) => p.name);
    expect(moved.length).toBeGreaterThan(0);
    await h.goto("/nodes");
    h.cluster.signal(1, "SIGKILL");
    await h.cluster.nodes[1]!.exited;
    const dead = h.page.locator(`tr[data-node-id="${victim.id}"]`);
    await expect
      .poll(async () => (await dead.textContent({ timeout: 1000 }).catch(() => "")) ?? "", WAIT)
      .toContain("dead");
    // Using its streams (through node-0) has a live node claim each, now that node-1 is dead.
    for (const p of moved) {
      await expect
        .poll(async () => {
          const r = await h.api("POST", `/v1/streams/${p.name}/messages`, "after", {
            key,
            raw: true,
          });
          return r.status;
        }, WAIT)
        .toBe(201);
    }
    await h.shot("faults-03-node-dead");

    const first = moved[0]!;
    await h.goto(`/placement?tenant=acme&kind=stream`);
    const movedRow = h.page
      .getByRole("table", { name: "Moves in the last minute" })
      .getByRole("row", { name: new RegExp(first.name!.replace(".", "\\.")) });
    await movedRow.waitFor(WAIT);
    const now = await h.ownerOf(first.name!, key);
    expect(now.node_id.startsWith("node-1-")).toBe(false);
    expect(now.epoch).toBeGreaterThan(first.epoch);
    expect(await movedRow.textContent()).toContain(now.node_id);
    await h.shot("faults-04-placement-after-failover");
    expect(h.pageErrors).toEqual([]);
  });

  it("drains a node after a confirmation: it hands its streams over", async () => {
    const node2 = (
      await h.api<{ items: { id: string; name: string; status: string }[] }>(
        "GET",
        "/v1/admin/nodes",
      )
    ).body.items.find((n) => n.name === "node-2" && n.status === "alive")!;
    await h.goto("/nodes");
    const row = h.page.locator(`tr[data-node-id="${node2.id}"]`);
    await row.getByRole("button", { name: "Drain" }).click();
    const dialog = h.page.getByRole("dialog", { name: "Drain node-2?" });
    await h.shot("faults-05-confirm-drain");
    await dialog.getByRole("button", { name: "Drain node" }).click();
    await expect
      .poll(async () => (await row.textContent({ timeout: 1000 }).catch(() => "")) ?? "", WAIT)
      .toContain("draining");
    await expect
      .poll(async () => (await row.textContent({ timeout: 1000 }).catch(() => "")) ?? "", WAIT)
      .toContain("0 / 0 / 0");
    const left = await h.api<{ items: unknown[] }>("GET", `/v1/admin/placement?node=${node2.id}`);
    expect(left.body.items).toEqual([]);
    await h.shot("faults-06-node-drained");
  });
});
