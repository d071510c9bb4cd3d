import { afterAll, describe, expect, it } from "vitest";
import { createPool, pendingMigrations, runMigrations, shippedMigrations } from "../src/index.js";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.js";

const TABLES = [
  "alerts",
  "api_keys",
  "audit_log",
  "doc_changes",
  "doc_snapshots",
  "doc_sync_states",
  "docs",
  "kv_buckets",
  "kv_entries",
  "kv_events",
  "leases",
  "nodes",
  "stream_chunks",
  "stream_consumers",
  "stream_messages",
  "stream_segments",
  "streams",
  "tenants",
];

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

describe("migrations", () => {
  it("build the whole data model on an empty database and re-run as a no-op", async () => {
    const db = await createTestDatabase({ migrate: false });
    dbs.push(db);
    const pool = createPool(db.url, { max: 2 });
    try {
      expect(await pendingMigrations(pool)).toBe(shippedMigrations());
      await runMigrations(pool);
      expect(await pendingMigrations(pool)).toBe(0);
      const { rows } = await pool.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public' order by 1",
      );
      expect(rows.map((r) => r.table_name)).toEqual(TABLES);
      await runMigrations(pool);
      const applied = await pool.query<{ n: number }>(
        "select count(*)::int as n from drizzle.__drizzle_migrations",
      );
      expect(applied.rows[0]!.n).toBe(shippedMigrations());
    } finally {
      await pool.end();
    }
  });

  it("are safe when several nodes start at once", async () => {
    const db = await createTestDatabase({ migrate: false });
    dbs.push(db);
    const pools = Array.from({ length: 4 }, () => createPool(db.url, { max: 1 }));
    try {
      await Promise.all(pools.map((p) => runMigrations(p)));
      expect(await pendingMigrations(pools[0]!)).toBe(0);
      const applied = await pools[0]!.query<{ n: number }>(
        "select count(*)::int as n from drizzle.__drizzle_migrations",
      );
      expect(applied.rows[0]!.n).toBe(shippedMigrations());
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it("enforce the keys that guard correctness", async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const pool = createPool(db.url, { max: 1 });
    try {
      const t = await pool.query<{ id: string }>(
        "insert into tenants (name) values ('a') returning id",
      );
      const s = await pool.query<{ id: string }>(
        "insert into streams (tenant_id, name) values ($1, 's') returning id",
        [t.rows[0]!.id],
      );
      const sid = s.rows[0]!.id;
      const insert = (seq: number, msgId: string | null) =>
        pool.query(
          "insert into stream_messages (stream_id, seq, ts, value, value_size, msg_id) values ($1, $2, now(), '\\x00', 1, $3)",
          [sid, seq, msgId],
        );
      await insert(1, "m1");
      // No seq twice in a stream (DESIGN §7, belt and braces).
      await expect(insert(1, null)).rejects.toThrow(/duplicate key/);
      await expect(
        pool.query("insert into streams (tenant_id, name) values ($1, 's')", [t.rows[0]!.id]),
      ).rejects.toThrow(/duplicate key/);
      // Deleting the tenant removes what it owns.
      await pool.query("delete from tenants where id = $1", [t.rows[0]!.id]);
      const left = await pool.query<{ n: number }>(
        "select count(*)::int as n from stream_messages",
      );
      expect(left.rows[0]!.n).toBe(0);
    } finally {
      await pool.end();
    }
  });
});
