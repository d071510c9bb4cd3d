import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPool, KvReaderPg, MIGRATIONS_FOLDER, runMigrations } from "../src/index.js";
import { createTestDatabase, type TestDatabase } from "../src/testing/index.js";

/** The shipped migrations up to and including `tag`, in a folder of their own. */
function migrationsUpTo(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), "strata-migrations-"));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const path = join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(path, "utf8")) as { entries: { tag: string }[] };
  const end = journal.entries.findIndex((e) => e.tag === tag);
  expect(end).toBeGreaterThanOrEqual(0);
  journal.entries = journal.entries.slice(0, end + 1);
  writeFileSync(path, JSON.stringify(journal));
  return dir;
}

let db: TestDatabase | undefined;
let folder: string | undefined;
afterAll(async () => {
  await db?.drop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe("migration 0005 (kv_entries holds each key's newest change)", () => {
  it("keeps every change of a database written before it: values, history and deletions", async () => {
    db = await createTestDatabase({ migrate: false });
    const pool = createPool(db.url, { max: 2 });
    try {
      folder = migrationsUpTo("0004_kv_crdt_document");
      await runMigrations(pool, folder);
      const { rows: t } = await pool.query<{ id: string }>(
        "insert into tenants (name) values ('old') returning id",
      );
      const { rows: b } = await pool.query<{ id: string }>(
        `insert into kv_buckets (tenant_id, name, config, last_revision, keys, bytes)
         values ($1, 'b', '{"history": 3}', 4, 1, 2) returning id`,
        [t[0]!.id],
      );
      const bucket = Number(b[0]!.id);
      // Before 0005 every change lived in kv_events and kv_entries held live keys only:
      // a = put 1, put 3 (live "a3"); d = put 2, delete 4.
      await pool.query(
        `insert into kv_events (bucket_id, revision, key, op, value) values
           ($1, 1, 'a', 'put', 'a1'), ($1, 2, 'd', 'put', 'd2'),
           ($1, 3, 'a', 'put', 'a3'), ($1, 4, 'd', 'delete', null)`,
        [bucket],
      );
      await pool.query(
        `insert into kv_entries (bucket_id, key, revision, create_revision, value)
         values ($1, 'a', 3, 1, 'a3')`,
        [bucket],
      );

      await runMigrations(pool);

      const reader = new KvReaderPg(pool);
      expect(Buffer.from((await reader.get(bucket as never, "a"))!.value).toString()).toBe("a3");
      expect(await reader.get(bucket as never, "d")).toBeNull();
      const history = async (key: string) =>
        (await reader.history(bucket as never, key, { limit: 10 })).map((e) => [e.revision, e.op]);
      expect(await history("a")).toEqual([
        [3, "put"],
        [1, "put"],
      ]);
      expect(await history("d")).toEqual([
        [4, "delete"],
        [2, "put"],
      ]);
      const page = await reader.events(bucket as never, 1, undefined, 100);
      expect(page!.events.map((e) => [e.revision, e.key, e.op])).toEqual([
        [1, "a", "put"],
        [2, "d", "put"],
        [3, "a", "put"],
        [4, "d", "delete"],
      ]);
      // Each change is stored once: the newest per key in kv_entries, the older ones in kv_events.
      const { rows: events } = await pool.query<{ revision: string }>(
        "select revision from kv_events where bucket_id = $1 order by revision",
        [bucket],
      );
      expect(events.map((r) => Number(r.revision))).toEqual([1, 2]);
      expect((await reader.list(bucket as never, { limit: 10 })).map((e) => e.key)).toEqual(["a"]);
    } finally {
      await pool.end();
    }
  });
});
