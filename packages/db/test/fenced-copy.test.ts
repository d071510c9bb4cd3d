import { Fenced } from "@strata/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPool,
  fencedCopyTransaction,
  frameCopyData,
  NodeRegistryPg,
  type Pool,
} from "../src/index.js";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.js";

let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 4 });
  await pool.query("create table copy_probe (v int primary key)");
  // Lets a test hold a COPY inside PostgreSQL while it cuts the connection.
  await pool.query(`create function copy_probe_slow() returns trigger language plpgsql as $$
    begin if new.v = 999 then perform pg_sleep(30); end if; return new; end $$`);
  await pool.query(
    "create trigger copy_probe_slow before insert on copy_probe for each row execute function copy_probe_slow()",
  );
  const registry = new NodeRegistryPg(pool);
  await registry.register({ id: "copier", address: "", version: "t", roles: ["api"] }, 60_000);
  await registry.register({ id: "expired", address: "", version: "t", roles: ["api"] }, 60_000);
  await pool.query(
    "update nodes set lease_expires_at = now() - interval '1 second' where id = 'expired'",
  );
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const COPY = "copy copy_probe (v) from stdin";

/** Text-format COPY rows, framed as fencedCopyTransaction takes them. */
const framed = (values: number[]) =>
  frameCopyData(Buffer.from(values.map((v) => `${v}\n`).join("")));

async function stored(): Promise<number[]> {
  const { rows } = await pool.query<{ v: number }>("select v from copy_probe order by v");
  return rows.map((r) => r.v);
}

const copy = (nodeId: string, values: number[]) =>
  fencedCopyTransaction(pool, nodeId, COPY, framed(values), async () => "done");

describe("a fenced COPY transaction", () => {
  it("commits the rows when the lease is live", async () => {
    await expect(copy("copier", [1, 2])).resolves.toBe("done");
    expect(await stored()).toEqual([1, 2]);
  });

  it("rejects with PostgreSQL's error when it refuses a row, writes nothing, and the pool goes on", async () => {
    await expect(copy("copier", [3, 1])).rejects.toMatchObject({ code: "23505" });
    expect(await stored()).toEqual([1, 2]);
    await expect(copy("copier", [3])).resolves.toBe("done");
    expect(await stored()).toEqual([1, 2, 3]);
  });

  it("rejects as Fenced and writes nothing when the node lease is gone", async () => {
    await expect(copy("expired", [4])).rejects.toBeInstanceOf(Fenced);
    expect(await stored()).toEqual([1, 2, 3]);
  });

  it("rejects when its connection is cut in the middle of the COPY", async () => {
    // Observed from the start: the COPY may fail before pg_terminate_backend's own reply arrives.
    const outcome = copy("copier", [5, 999]).then(
      () => undefined,
      (err: unknown) => err,
    );
    let pid: number | undefined;
    while (pid === undefined) {
      const { rows } = await pool.query<{ pid: number }>(
        "select pid from pg_stat_activity where wait_event = 'PgSleep' and datname = current_database()",
      );
      pid = rows[0]?.pid;
      if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    await pool.query("select pg_terminate_backend($1)", [pid]);
    expect(String(await outcome)).toMatch(/terminat/);
    expect(await stored()).toEqual([1, 2, 3]);
  });
});
