import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { LocalCluster } from "../cluster/support/local-cluster.js";
import { TenantClient } from "../support/tenant-client.js";

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function kvDocsKey(c: LocalCluster): Promise<string> {
  const admin = c.admin(0);
  const t = await admin.json<{ id: string }>("POST", "/v1/admin/tenants", {
    name: `t-${randomBytes(3).toString("hex")}`,
  });
  const k = await admin.json<{ secret: string }>("POST", `/v1/admin/tenants/${t.body.id}/keys`, {
    name: "k",
    scopes: ["kv:read", "kv:write", "docs:read"],
  });
  return k.body.secret;
}

type Listed = { key: string; value_base64: string }[];

async function listAll(c: TenantClient, bucket: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let after: string | null = null;
  do {
    const q: string = after === null ? "" : `&after=${encodeURIComponent(after)}`;
    const page = await c.json<{ items: Listed; next_after: string | null }>(
      "GET",
      `/v1/kv/${bucket}/keys?limit=50${q}`,
    );
    expect(page.status).toBe(200);
    for (const i of page.body.items)
      out.set(i.key, Buffer.from(i.value_base64, "base64").toString());
    after = page.body.next_after;
  } while (after !== null);
  return out;
}

describe("crdt buckets in a cluster", () => {
  it("concurrent puts through two nodes merge: both nodes read the same state, nothing acknowledged is lost", async () => {
    cluster = await LocalCluster.start(2);
    const key = await kvDocsKey(cluster);
    const [c0, c1] = cluster.nodes.map((n) => new TenantClient(n.base, key)) as [
      TenantClient,
      TenantClient,
    ];
    const created = await c0.json<{ document_id: string }>("PUT", "/v1/kv/shared", {
      mode: "crdt",
    });
    expect(created.status).toBe(201);
    const documentId = created.body.document_id;

    // Four writers per node, each writing its own keys and the one key everybody writes.
    const acked = new Map<string, string>();
    const sharedAcked = new Set<string>();
    const failures: string[] = [];
    const writer = async (c: TenantClient, name: string) => {
      for (let i = 0; i < 15; i++) {
        for (const k of [`${name}/${i}`, "everyone"]) {
          const value = `${name}-${i}`;
          const res = await c.request("PUT", `/v1/kv/shared/keys/${k}`, value);
          if (res.status !== 200) failures.push(`${k}: ${res.status} ${await res.text()}`);
          else if (k === "everyone") sharedAcked.add(value);
          else acked.set(k, value);
        }
      }
    };
    await Promise.all(
      [c0, c1].flatMap((c, n) => Array.from({ length: 4 }, (_, w) => writer(c, `n${n}w${w}`))),
    );
    expect(failures).toEqual([]);
    expect(acked.size).toBe(2 * 4 * 15);

    const seen0 = await listAll(c0, "shared");
    const seen1 = await listAll(c1, "shared");
    expect([...seen1.entries()]).toEqual([...seen0.entries()]);
    for (const [k, v] of acked) expect(seen0.get(k), k).toBe(v);
    // The key written concurrently from both nodes holds one of the acknowledged values, the same everywhere.
    expect(sharedAcked.has(seen0.get("everyone")!)).toBe(true);
    expect(seen0.size).toBe(acked.size + 1);

    const heads = await Promise.all(
      [c0, c1].map((c) => c.json<{ heads: string[] }>("GET", `/v1/docs/${documentId}/heads`)),
    );
    expect(heads[0]!.body.heads).toEqual(heads[1]!.body.heads);
    const info = await Promise.all(
      [c0, c1].map((c) => c.json<{ last_revision: number; keys: number }>("GET", "/v1/kv/shared")),
    );
    expect(info[0]!.body).toMatchObject({ keys: acked.size + 1 });
    expect(info[1]!.body.last_revision).toBe(info[0]!.body.last_revision);
  }, 120_000);
});
