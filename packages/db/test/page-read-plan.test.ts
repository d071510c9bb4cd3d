import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, MessageLogPg, type Pool } from "../src/index.js";
import { PAGE_SQL } from "../src/streams/tiered-read.pg.js";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.js";

const BACKLOG = 30_000;
const PAGE = 1000;

let db: TestDatabase;
let pool: Pool;
let streamId: number;
beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 2 });
  // Statistics that do not know the stream, as right after a burst of writes: no analyze runs.
  await pool.query("alter table stream_messages set (autovacuum_enabled = false)");
  const { rows: t } = await pool.query<{ id: string }>(
    "insert into tenants (name) values ('plan') returning id",
  );
  const { rows: s } = await pool.query<{ id: string }>(
    "insert into streams (tenant_id, name) values ($1, 'backlog') returning id",
    [t[0]!.id],
  );
  streamId = Number(s[0]!.id);
  for (let from = 1; from <= BACKLOG; from += PAGE) {
    await pool.query(
      `insert into stream_messages (stream_id, seq, ts, value, value_size)
       select $1, g, now(), '\\x00'::bytea, 1 from generate_series($2::bigint, $3::bigint) g`,
      [streamId, from, from + PAGE - 1],
    );
  }
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

interface PlanNode {
  "Relation Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  Plans?: PlanNode[];
}

/** Rows the plan's scans of `relation` produced, over all loops. */
function rowsScanned(node: PlanNode, relation: string): number {
  const own = node["Relation Name"] === relation ? node["Actual Rows"] * node["Actual Loops"] : 0;
  return own + (node.Plans ?? []).reduce((n, p) => n + rowsScanned(p, relation), 0);
}

describe("a catch-up page read", () => {
  it("scans about one page of rows however long the backlog behind it is", async () => {
    const { rows } = await pool.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
      `explain (analyze, format json) ${PAGE_SQL}`,
      [streamId, 2, PAGE, 1 << 30],
    );
    const scanned = rowsScanned(rows[0]!["QUERY PLAN"][0].Plan, "stream_messages");
    // The page itself plus the index probe for its first seq.
    expect(scanned).toBeLessThanOrEqual(PAGE + 1);
  });

  it("reads the pages in order, without gaps, across a hole of deleted messages", async () => {
    await pool.query(
      "delete from stream_messages where stream_id = $1 and seq between 5000 and 7500",
      [streamId],
    );
    const log = new MessageLogPg(pool);
    const seen: number[] = [];
    for (let next = 4001; ;) {
      const page = await log.read(streamId as never, next, PAGE, 1 << 30);
      if (page.length === 0) break;
      seen.push(...page.map((m) => m.seq));
      next = page[page.length - 1]!.seq + 1;
    }
    const expected: number[] = [];
    for (let seq = 4001; seq <= BACKLOG; seq++) if (seq < 5000 || seq > 7500) expected.push(seq);
    expect(seen).toEqual(expected);
  });
});
