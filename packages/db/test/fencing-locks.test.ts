import { Fenced } from "@strata/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPool,
  fencedTransaction,
  LeaseTablePg,
  NodeRegistryPg,
  type Pool,
} from "../src/index.js";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.js";

let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 8 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

let commits = 0;

/** A fenced transaction held open until `release` is called; resolves `open` once fenced. */
function heldCommit(nodeId: string) {
  const name = `by-${nodeId}-${++commits}`;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let opened!: () => void;
  const open = new Promise<void>((r) => (opened = r));
  const done = fencedTransaction(pool, nodeId, async (client) => {
    await client.query("insert into tenants (name) values ($1)", [name]);
    opened();
    await gate;
  });
  return { open, release, done, name };
}

/** Whether some backend is waiting for a row lock right now (polled until `want` or a timeout). */
async function lockWaiters(want: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if (rows[0]!.n === want) return want;
    await new Promise((r) => setTimeout(r, 25));
  }
  return -1;
}

describe("the commit fence and the node row", () => {
  it("a heartbeat is never blocked by commits in flight (it used to starve under load)", async () => {
    const registry = new NodeRegistryPg(pool);
    await registry.register({ id: "busy", address: "", version: "t", roles: ["api"] }, 60_000);
    const commits = [heldCommit("busy"), heldCommit("busy")];
    await Promise.all(commits.map((c) => c.open));
    // With the fence holding the row FOR SHARE this UPDATE waited for both commits.
    const client = await pool.connect();
    try {
      await client.query("set lock_timeout = '2s'");
      const { rowCount } = await client.query(
        `update nodes set lease_expires_at = now() + interval '60 seconds', heartbeat_at = now()
          where id = 'busy' and status <> 'dead'`,
      );
      expect(rowCount).toBe(1);
    } finally {
      client.release();
    }
    for (const c of commits) c.release();
    await Promise.all(commits.map((c) => c.done));
  });

  it("declaring a node dead waits for its commit in flight, which lands; later commits are fenced", async () => {
    const registry = new NodeRegistryPg(pool);
    await registry.register({ id: "slow", address: "", version: "t", roles: ["api"] }, 1_000);
    await registry.register({ id: "other", address: "", version: "t", roles: ["api"] }, 60_000);
    const commit = heldCommit("slow");
    await commit.open;
    await pool.query(
      "update nodes set lease_expires_at = now() - interval '1 second' where id = 'slow'",
    );
    await pool.query(
      `insert into leases (resource, kind, node_id, epoch) values ('stream:1', 'stream', 'slow', 1)`,
    );
    // Both ways to declare it dead: the monitor's sweep and a claim by another node.
    const sweep = registry.sweep(60_000);
    const claim = new LeaseTablePg(pool).claim("stream:1", "stream", null, "other");
    expect(await lockWaiters(2)).toBe(2);
    commit.release();
    await commit.done;
    // Whichever got the row first declared it dead; the other found it dead already.
    await Promise.all([sweep, claim]);
    const { rows: node } = await pool.query<{ status: string }>(
      "select status from nodes where id = 'slow'",
    );
    expect(node[0]!.status).toBe("dead");
    const { rows } = await pool.query<{ name: string }>(
      "select name from tenants where name = $1",
      [commit.name],
    );
    expect(rows).toHaveLength(1);
    await expect(fencedTransaction(pool, "slow", async () => undefined)).rejects.toBeInstanceOf(
      Fenced,
    );
    const { rows: lease } = await pool.query<{ node_id: string | null }>(
      "select node_id from leases where resource = 'stream:1'",
    );
    expect(lease[0]!.node_id).not.toBe("slow");
  });
});
