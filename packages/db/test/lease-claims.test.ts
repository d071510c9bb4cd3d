import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, LeaseTablePg, NodeRegistryPg, type Pool } from "../src/index.js";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.js";

let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 4 });
  const registry = new NodeRegistryPg(pool);
  for (const id of ["a", "b", "gone"])
    await registry.register({ id, address: "", version: "t", roles: ["api"] }, 60_000);
  await pool.query(
    "update nodes set lease_expires_at = now() - interval '1 second' where id = 'gone'",
  );
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe("lease claims made together", () => {
  it("share statements, and each gets its own answer: free ones won, a live owner's refused, a dead owner's taken over", async () => {
    let sent = 0;
    const counting = {
      query: (...args: Parameters<Pool["query"]>) => (sent++, pool.query(...args)),
    } as unknown as Pool;
    const leases = new LeaseTablePg(counting);
    await leases.claim("stream:held", "stream", null, "b");
    await leases.claim("stream:orphan", "stream", null, "gone");
    sent = 0;
    const resources = Array.from({ length: 300 }, (_, i) => `stream:free-${i}`);
    const answers = await Promise.all([
      ...resources.map((r) => leases.claim(r, "stream", null, "a")),
      leases.claim("stream:held", "stream", null, "a"),
      leases.claim("stream:orphan", "stream", null, "a"),
      // The same resource twice in one batch: both get the same epoch.
      leases.claim("stream:free-0", "stream", null, "a"),
    ]);
    // Two statements for the whole batch (declare expired owners dead, then the upsert).
    expect(sent).toBe(2);
    expect(answers.slice(0, 300)).toEqual(resources.map(() => 1));
    expect(answers[300]).toBeNull();
    expect(answers[301]).toBe(2);
    expect(answers[302]).toBe(1);
    const { rows } = await pool.query<{ node_id: string; n: number }>(
      "select node_id, count(*)::int as n from leases group by node_id order by node_id",
    );
    expect(rows).toEqual([
      { node_id: "a", n: 301 },
      { node_id: "b", n: 1 },
    ]);
    const { rows: gone } = await pool.query<{ status: string }>(
      "select status from nodes where id = 'gone'",
    );
    expect(gone[0]!.status).toBe("dead");
  });
});
