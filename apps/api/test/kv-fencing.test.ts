import {
  CommitFailed,
  DEFAULT_KV_CONFIG,
  Fenced,
  InProcessBus,
  KvOwner,
  type BucketRef,
  type BucketId,
  systemClock,
} from "@strata/core";
import {
  createPool,
  KvLogPg,
  KvReaderPg,
  LeaseTablePg,
  NodeRegistryPg,
  type Pool,
} from "@strata/db";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let db: TestDatabase;
let pool: Pool;
let ref: BucketRef;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 6 });
  const { rows: t } = await pool.query<{ id: string }>(
    "insert into tenants (name) values ('fencing') returning id",
  );
  const { rows } = await pool.query<{ id: string }>(
    "insert into kv_buckets (tenant_id, name) values ($1, 'b') returning id",
    [t[0]!.id],
  );
  ref = {
    id: Number(rows[0]!.id) as BucketId,
    tenantId: t[0]!.id,
    name: "b",
    config: DEFAULT_KV_CONFIG,
  };
  const registry = new NodeRegistryPg(pool);
  for (const id of ["node-a", "node-b"])
    await registry.register({ id, address: "", version: "test", roles: ["api"] }, 60_000);
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** An owner on node `id`; `claims` says whether the placement row is really taken. */
function owner(id: string, claims: boolean): KvOwner {
  const leases = new LeaseTablePg(pool);
  return new KvOwner(
    new KvLogPg(pool),
    new InProcessBus(),
    {
      claim: async (resource, kind, tenantId) =>
        claims ? ((await leases.claim(resource, kind, tenantId, id)) ?? 0) : 1,
    },
    systemClock,
    { node: { id }, maxBatchItems: 100, maxInFlight: 2 },
  );
}

const enc = (s: string) => Buffer.from(s);

describe("KV ownership on PostgreSQL", () => {
  it("a stale owner's write never lands: revisions stay dense and the stale owner reloads", async () => {
    // Both believe they own the bucket (as if placement had a bug): the revision check still holds.
    const a = owner("node-a", false);
    const b = owner("node-b", false);
    expect(await a.put(ref, "k", enc("a1"))).toEqual({ revision: 1 });
    expect(await b.put(ref, "k", enc("b2"), { compare: { key: "k", revision: 1 } })).toEqual({
      revision: 2,
    });
    // A still thinks k is at revision 1: its compare passes in memory, but the commit is refused.
    await expect(
      a.put(ref, "k", enc("a3"), { compare: { key: "k", revision: 1 } }),
    ).rejects.toBeInstanceOf(CommitFailed);
    // Reloaded, A sees the truth.
    await expect(
      a.put(ref, "k", enc("a3"), { compare: { key: "k", revision: 1 } }),
    ).rejects.toMatchObject({
      code: "precondition_failed",
      details: { current_revision: 2 },
    });
    expect(await a.put(ref, "k", enc("a3"), { compare: { key: "k", revision: 2 } })).toEqual({
      revision: 3,
    });
    // History 1: only the committed revision 3 is stored, and A's refused write left nothing.
    const history = await new KvReaderPg(pool).history(ref.id, "k", { limit: 10 });
    expect(history.map((e) => e.revision)).toEqual([3]);
    const entry = await new KvReaderPg(pool).get(ref.id, "k");
    expect(Buffer.from(entry!.value).toString()).toBe("a3");
  });

  it("a node declared dead commits nothing more", async () => {
    const a = owner("node-a", true);
    await a.put(ref, "f", enc("1"));
    await pool.query("update nodes set status = 'dead' where id = 'node-a'");
    await expect(a.put(ref, "f", enc("2"))).rejects.toBeInstanceOf(Fenced);
    const entry = await new KvReaderPg(pool).get(ref.id, "f");
    expect(Buffer.from(entry!.value).toString()).toBe("1");
  });
});
