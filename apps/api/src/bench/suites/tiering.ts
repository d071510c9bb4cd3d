// `npm run bench -- tiering`: read throughput of one stream from the hot tier (Postgres rows)
// and from the cold tier (segments in a local-directory object store), the tiering job's own
// rate, and what tiering does to the size of stream_messages. 1,000,000 messages of ~200 B
// (100,000 with --quick).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_TIERING, type StreamId } from "@strata/core";
import { ColdSegments, MessageLogPg, type Pool, StreamTiererPg } from "@strata/db";
import { fmtBytes, fmtRate } from "../lib/format.js";
import { type ResultRow, type Suite, type SuiteContext, type SuiteResult } from "../lib/types.js";
import { createBenchDatabase, seedRawStreams } from "../streams/setup.js";
import { LocalObjectStore } from "../../tiering/local-object-store.js";

export const suite: Suite = {
  name: "tiering",
  description:
    "Stream reads from the hot tier vs the cold tier (segments), tiering rate, stream_messages size before/after tiering 1M messages",
  run,
};

const PAGE = 1000;
const PAGE_BYTES = 4 * 1024 * 1024;
const CACHE_BYTES = 64 * 1024 * 1024;

async function tableBytes(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ b: string }>(
    "select pg_total_relation_size('stream_messages') + pg_total_relation_size('stream_chunks') as b",
  );
  return Number(rows[0]!.b);
}

/** Reads the stream from seq 1 in pages for up to `ms` (or to its end); messages per second. */
async function readRate(
  log: MessageLogPg,
  id: StreamId,
  upTo: number,
  ms: number,
): Promise<{ rate: number; read: number; bytes: number }> {
  const start = performance.now();
  let from = 1;
  let read = 0;
  let bytes = 0;
  while (from <= upTo && performance.now() - start < ms) {
    const page = await log.read(id, from, PAGE, PAGE_BYTES);
    if (page.length === 0) break;
    read += page.length;
    for (const m of page) bytes += m.value.byteLength;
    from = page[page.length - 1]!.seq + 1;
  }
  return { rate: read / ((performance.now() - start) / 1000), read, bytes };
}

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const total = ctx.quick ? 100_000 : 1_000_000;
  const bench = await createBenchDatabase();
  const dir = await mkdtemp(join(tmpdir(), "strata-bench-objects-"));
  const rows: ResultRow[] = [];
  const notes: string[] = [];
  try {
    const [id] = (await seedRawStreams(bench.pool, 1)) as [StreamId];
    ctx.log(`inserting ${total.toLocaleString()} messages of ~200 B`);
    // ~200 B of hex text per value (compresses about 2:1, like typical JSON payloads).
    for (let from = 1; from <= total; from += 100_000) {
      await bench.pool.query(
        `insert into stream_messages (stream_id, seq, ts, value, value_size)
         select $1, g, now() - interval '2 hours' + g * interval '1 millisecond',
                convert_to(left(repeat(md5(g::text) || md5((g * 7)::text), 4), 200), 'UTF8'), 200
           from generate_series($2::bigint, $3::bigint) g`,
        [id, from, Math.min(total, from + 99_999)],
      );
    }
    await bench.pool.query("vacuum analyze stream_messages");
    const sizeBefore = await tableBytes(bench.pool);

    const store = new LocalObjectStore(dir);
    const cold = new ColdSegments(store, bench.pool, { cacheBytes: CACHE_BYTES });
    const log = new MessageLogPg(bench.pool, cold);
    const readMs = Math.max(ctx.durationMs, 1000);

    ctx.log("reading from the hot tier");
    const hot = await readRate(log, id, total, readMs);
    rows.push({
      id: "read.hot",
      label: "read pages of 1,000 from Postgres rows (hot tier)",
      size: 200,
      msgsPerSec: hot.rate,
      mbPerSec: (hot.rate * 200) / 1e6,
      extra: { messages: hot.read },
    });

    ctx.log("tiering");
    const tierer = new StreamTiererPg(bench.pool, store, DEFAULT_TIERING);
    const t0 = performance.now();
    const tiered = await tierer.tierStream(id, { olderThanSeconds: 0, minMessages: 1 });
    const tierSeconds = (performance.now() - t0) / 1000;
    rows.push({
      id: "tier.job",
      label: `tiering job: seal, write, verify, swap (${DEFAULT_TIERING.segmentMessages.toLocaleString()} msgs/segment)`,
      size: 200,
      msgsPerSec: tiered.messages / tierSeconds,
      extra: { segments: tiered.segments, objectBytes: tiered.bytes, seconds: tierSeconds },
    });
    const sizeAfter = await tableBytes(bench.pool);
    await bench.pool.query("vacuum full stream_messages");
    const sizeAfterFull = await tableBytes(bench.pool);

    ctx.log("reading from the cold tier");
    cold.cache.clear();
    const coldRead = await readRate(log, id, total, readMs);
    rows.push({
      id: "read.cold",
      label: "read pages of 1,000 from segments (cold tier, each segment fetched once)",
      size: 200,
      msgsPerSec: coldRead.rate,
      mbPerSec: (coldRead.rate * 200) / 1e6,
      note: `${(coldRead.rate / hot.rate).toFixed(2)}× the hot tier's rate`,
      extra: { messages: coldRead.read },
    });
    // The first segments again, now decoded in the cache.
    const warmUpTo = Math.min(total, 50_000);
    await readRate(log, id, warmUpTo, readMs);
    const warm = await readRate(log, id, warmUpTo, readMs);
    rows.push({
      id: "read.cold-cached",
      label: "read pages of 1,000 from cached decoded segments (first 50,000 again)",
      size: 200,
      msgsPerSec: warm.rate,
      mbPerSec: (warm.rate * 200) / 1e6,
      note: `${(warm.rate / hot.rate).toFixed(2)}× the hot tier's rate`,
    });
    rows.push({
      id: "size",
      label: "stream_messages (+ indexes, chunks) before → after tiering → after VACUUM FULL",
      note: `${fmtBytes(sizeBefore)} → ${fmtBytes(sizeAfter)} → ${fmtBytes(sizeAfterFull)}; objects ${fmtBytes(tiered.bytes)}`,
      extra: { sizeBefore, sizeAfter, sizeAfterFull, objectBytes: tiered.bytes },
    });
    notes.push(
      `${total.toLocaleString()} messages tiered into ${tiered.segments} segments ` +
        `(${fmtBytes(tiered.bytes)} of brotli-compressed objects for ${fmtBytes(total * 200)} of values) ` +
        `at ${fmtRate(tiered.messages / tierSeconds)} msgs/s.`,
      "A plain DELETE leaves the table's pages allocated (autovacuum makes them reusable); " +
        "VACUUM FULL returns them to the file system.",
      "Object store: a local directory (fsync per object). Reads go through MessageLogPg, the same path the API uses.",
    );
    return { rows, targets: [], notes };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await bench.close();
  }
}
