import * as A from "@automerge/automerge";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { LocalCluster } from "../cluster/support/local-cluster.js";
import { DocClient, sortedHeads } from "./doc-client.js";

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

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

interface AdminDoc {
  document_id: string;
  changes: number;
  owner: { node_id: string | null; epoch: number } | null;
}

async function adminDoc(c: LocalCluster, id: string): Promise<AdminDoc> {
  const res = await c.admin(0).json<{ items: AdminDoc[] }>("GET", "/v1/admin/docs?limit=500");
  return res.body.items.find((d) => d.document_id === id)!;
}

describe("documents in a cluster", () => {
  it("changes posted on any node are persisted by the owner and visible from every node", async () => {
    cluster = await LocalCluster.start(2);
    const key = await docsKey(cluster);
    const [c0, c1] = cluster.nodes.map((n) => new DocClient(n.base, key)) as [DocClient, DocClient];

    // Documents until each node owns one (placement is by rendezvous hashing of the id),
    // so both nodes serve some and forward some.
    const owners = new Set<string>();
    for (let i = 0; owners.size < 2 && i < 40; i++) {
      const { id } = await (i % 2 ? c1 : c0).create({ i, log: [] });
      const owner = (await adminDoc(cluster, id)).owner!;
      owners.add(cluster.node(owner.node_id).name);
      const epoch = owner.epoch;
      let local = await c0.load(id);
      // Edits alternate between the owner and the other node.
      for (let j = 0; j < 4; j++) {
        local = await (j % 2 ? c1 : c0).edit(id, local, (d) => (d[`e${j}`] = j));
      }
      for (const c of [c0, c1]) {
        expect(await c.heads(id)).toEqual(sortedHeads(local));
        expect((await c.content(id)).body.content).toEqual(A.toJS(local));
      }
      const after = await adminDoc(cluster, id);
      expect(after.changes).toBe(A.getAllChanges(local).length);
      // The same owner committed everything: no claim moved the document.
      expect(after.owner).toEqual({ node_id: owner.node_id, epoch });
    }
    expect(owners.size).toBe(2);

    // A document deleted through either node is gone on both, its owner's copy included.
    for (const [i, deleter] of [c0, c1].entries()) {
      const { id } = await deleter.create({ doomed: i });
      await c0.heads(id);
      await c1.heads(id);
      expect((await deleter.request("DELETE", `/v1/docs/${id}`)).status).toBe(204);
      for (const c of [c0, c1]) {
        expect((await c.request("GET", `/v1/docs/${id}/heads`)).status).toBe(404);
        expect((await c.request("GET", `/v1/docs/${id}`)).status).toBe(404);
      }
    }
  });
});
