import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { TenantClient } from "./support/tenant-client.js";

const KEYS = 1_000_000;

let t: TestApp;
let c: TenantClient;
beforeAll(async () => {
  t = await startTestApp();
  c = new TenantClient(t.baseUrl, (await t.tenantWithKey(["kv:read", "kv:write"])).secret);
  await c.json("PUT", "/v1/kv/big", {});
  // A million keys in one statement (the owner's path is exercised elsewhere), plus
  // neighbours on both sides of the prefix that a prefix scan must leave out.
  await t.pool.query(
    `with b as (update kv_buckets set last_revision = $1 + 2, keys = $1 + 2, bytes = $1 * 8 + 2
                 where name = 'big' returning id)
     insert into kv_entries (bucket_id, key, revision, create_revision, value)
     select b.id, 'k/' || lpad(g::text, 7, '0'), g, g, int8send(g) from b, generate_series(1, $1) g
     union all select b.id, 'a', $1 + 1, $1 + 1, 'a' from b
     union all select b.id, 'k0', $1 + 2, $1 + 2, 'z' from b`,
    [KEYS],
  );
  await t.pool.query("analyze kv_entries");
}, 120_000);
afterAll(() => t?.close());

interface Page {
  items: { key: string; revision: number; value_base64?: string }[];
  next_after: string | null;
}

describe("listing", () => {
  it("pages through 1,000,000 keys in key order with no duplicates or gaps", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let slowest = 0;
    for (;;) {
      const q: string = `prefix=k%2F&keys_only=true&limit=1000${after ? `&after=${encodeURIComponent(after)}` : ""}`;
      const started = performance.now();
      const { status, body }: { status: number; body: Page } = await c.json<Page>(
        "GET",
        `/v1/kv/big/keys?${q}`,
      );
      slowest = Math.max(slowest, performance.now() - started);
      expect(status).toBe(200);
      for (const item of body.items) seen.push(item.key);
      if (body.next_after === null) break;
      after = body.next_after;
    }
    expect(seen).toHaveLength(KEYS);
    for (let i = 0; i < KEYS; i++) {
      if (seen[i] !== `k/${String(i + 1).padStart(7, "0")}`) {
        throw new Error(`page order broken at ${i}: ${seen[i]}`);
      }
    }
    // Every page is an index range scan, however deep: no page may take long.
    expect(slowest).toBeLessThan(500);
  }, 120_000);

  it("returns values too, and a page from the middle of the key space is as fast as the first", async () => {
    const { body } = await c.json<Page>("GET", "/v1/kv/big/keys?after=k%2F0500000&limit=2");
    expect(body.items.map((i) => [i.key, i.revision])).toEqual([
      ["k/0500001", 500001],
      ["k/0500002", 500002],
    ]);
    expect(Buffer.from(body.items[0]!.value_base64!, "base64").readBigInt64BE()).toBe(500001n);
    const plan = await t.pool.query<{ "QUERY PLAN": string }>(
      `explain select key from kv_entries
        where bucket_id = (select id from kv_buckets where name = 'big')
          and key > 'k/0500000' and key >= 'k/' and key < 'k0' order by key limit 1000`,
    );
    expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(
      /Index (Only )?Scan using kv_entries_bucket_id_key_pk/,
    );
    const info = await c.json("GET", "/v1/kv/big");
    expect(info.body).toMatchObject({ keys: KEYS + 2 });
  });
});
