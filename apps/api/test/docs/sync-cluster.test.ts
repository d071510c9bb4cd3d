import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalCluster } from "../cluster/support/local-cluster.js";
import { connectRepo, strataHeads, type SyncClient, until } from "./sync-clients.js";

type Doc = { title?: string; items: string[] };

let cluster: LocalCluster;
let key: string;
const clients: SyncClient[] = [];

beforeAll(async () => {
  cluster = await LocalCluster.start(2);
  const admin = cluster.admin(0);
  const tenant = await admin.json<{ id: string }>("POST", "/v1/admin/tenants", {
    name: `t-${randomBytes(3).toString("hex")}`,
  });
  const k = await admin.json<{ secret: string }>(
    "POST",
    `/v1/admin/tenants/${tenant.body.id}/keys`,
    {
      name: "sync",
      scopes: ["docs:read", "docs:write"],
    },
  );
  key = k.body.secret;
}, 120_000);
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await cluster?.close();
});

async function clientOn(node: number): Promise<SyncClient> {
  const c = await connectRepo(cluster.nodes[node]!.base, key);
  clients.push(c);
  return c;
}

const sorted = (h: readonly string[]) => [...h].sort().join();
const storageIdOf = (c: SyncClient) => c.repo.getStorageIdOfPeer(c.repo.peers[0]!)!;

describe("automerge-repo sync across nodes", () => {
  it("a document created through one node is found through the other; concurrent edits converge", async () => {
    const a = await clientOn(0);
    const b = await clientOn(1);
    // Every node advertises the same storage id.
    expect(storageIdOf(a)).toBe(storageIdOf(b));
    const strata = storageIdOf(a);

    const handleA = a.repo.create<Doc>({ items: [] });
    await until(
      () => strataHeads(handleA, strata)?.join() === sorted(handleA.heads()),
      "stored via node 0",
    );
    const handleB = await b.repo.find<Doc>(handleA.url);
    expect(handleB.doc()).toEqual({ items: [] });

    for (let i = 0; i < 10; i++) {
      handleA.change((d) => d.items.push(`a${i}`));
      handleB.change((d) => d.items.push(`b${i}`));
    }
    handleA.change((d) => (d.title = "from A"));
    await until(
      () =>
        sorted(handleA.heads()) === sorted(handleB.heads()) && handleA.doc().items.length === 20,
      "both clients converge through two nodes",
    );
    expect(handleB.doc().title).toBe("from A");
    expect([...handleA.doc().items].sort()).toEqual([...handleB.doc().items].sort());
    await until(
      () =>
        strataHeads(handleA, strata)?.join() === sorted(handleA.heads()) &&
        strataHeads(handleB, strata)?.join() === sorted(handleB.heads()),
      "both nodes report the merged heads as stored",
    );
  });

  it("relays ephemeral messages between peers on different nodes", async () => {
    const a = await clientOn(0);
    const b = await clientOn(1);
    const handleA = a.repo.create<Doc>({ items: ["x"] });
    await until(() => strataHeads(handleA, storageIdOf(a))?.length === 1, "stored");
    const handleB = await b.repo.find<Doc>(handleA.url);
    const got: unknown[] = [];
    handleB.on("ephemeral-message", ({ message }) => got.push(message));
    await until(() => {
      handleA.broadcast({ presence: "here" });
      return got.length > 0;
    }, "B receives A's ephemeral message through the bus");
    expect(got[0]).toEqual({ presence: "here" });
  });
});
