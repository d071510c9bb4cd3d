// `npm run bench -- kv`: put/get/CAS throughput and p99 for 100 B values over
// 100,000 keys — raw Postgres (the ceiling), Strata REST and WebSocket, Redis, NATS KV.
import http from "node:http";
import { join } from "node:path";
import { type Pool } from "@strata/db";
import { fmtRate } from "../lib/format.js";
import { type Done } from "../lib/load.js";
import { withCpu } from "../lib/proc.js";
import { reportProfiles } from "../lib/profile.js";
import { StrataServer } from "../lib/server.js";
import { type ResultRow, type Suite, type SuiteContext, type TargetCheck } from "../lib/types.js";
import { cpuNote } from "../streams/report.js";
import { createBenchDatabase, payload } from "../streams/setup.js";
import {
  KV_KEYS,
  KV_SIZE,
  type KvTarget,
  measureKv,
  measurePeer,
  natsTarget,
  randomKeys,
  redisTarget,
} from "./kv-peers.js";
import { wsKvBatchTarget, wsKvTarget } from "./kv-ws.js";

type Ceilings = Record<"put" | "get", Map<number, number>>;
const BATCH = 100;

export const suite: Suite = {
  name: "kv",
  description:
    "KV put/get/CAS, 100 B values over 100,000 keys: raw Postgres ceiling, Strata REST and WS, Redis, NATS KV",
  run,
};

/** `n` rows of kv_entries for `bucket`: keys k0…k(n-1), revisions 1…n, counters to match. */
async function seedEntries(pool: Pool, bucket: number): Promise<void> {
  await pool.query(
    `with b as (update kv_buckets set last_revision = $2, keys = $2, bytes = $2::bigint * $4::int where id = $1 returning id)
     insert into kv_entries (bucket_id, key, revision, create_revision, value)
     select b.id, 'k' || (g - 1), g, g, $3::bytea from b, generate_series(1, $2::int) g
     on conflict (bucket_id, key) do nothing`,
    [bucket, KV_KEYS, payload(KV_SIZE), KV_SIZE],
  );
}

/**
 * Raw Postgres on kv_entries: one row per statement (8 connections), or
 * `BATCH` rows per statement (4 connections) — uniformly random keys like
 * every other case (`batch`, the ceiling), or `BATCH` consecutive keys
 * (`run`: neighbouring rows share index and heap pages; shown for scale,
 * not the workload).
 */
function rawTarget(pool: Pool, bucket: number, mode: "single" | "batch" | "run"): KvTarget {
  const value = payload(KV_SIZE);
  let revision = KV_KEYS;
  const n = mode === "single" ? 1 : BATCH;
  // A batch's keys go in key order, as any client of concurrent multi-row upserts must
  // (in random order they deadlock); the ids in `run` are consecutive but their keys are not.
  const keys = (i: number) =>
    (mode === "batch" ? randomKeys(BATCH) : Array.from({ length: n }, (_, j) => i + j))
      .map((k) => `k${k % KV_KEYS}`)
      .sort();
  const settle = (p: Promise<unknown>, done: Done) =>
    p.then(
      () => done(null, n, n * KV_SIZE),
      (err: unknown) => done(err),
    );
  const label = {
    single: "raw PG single-row",
    batch: `raw PG ×${BATCH} random keys per statement,`,
    run: `raw PG ×${BATCH} consecutive keys per statement (not the workload),`,
  }[mode];
  return {
    label,
    inFlight: mode === "single" ? 8 : 4,
    seed: () => seedEntries(pool, bucket),
    put: (i, done) =>
      settle(
        pool.query(
          `insert into kv_entries (bucket_id, key, revision, create_revision, value)
           select $1, k, $3, $3, $4 from unnest($2::text[]) k
           on conflict (bucket_id, key) do update
              set revision = excluded.revision, value = excluded.value, updated_at = now()`,
          [bucket, keys(i), ++revision, value],
        ),
        done,
      ),
    get: (i, done) =>
      settle(
        pool.query(
          `select key, revision, value from kv_entries
            where bucket_id = $1 and key = any($2::text[]) and (expires_at is null or expires_at > now())`,
          [bucket, keys(i)],
        ),
        done,
      ),
    close: async () => undefined,
  };
}

/** Strata over REST: `PUT`/`GET …/keys/k<i>`, CAS as `PUT` with `If-Match: <revision seen last>`. */
function strataTarget(baseUrl: string, key: string, pool: Pool, bucket: number): KvTarget {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const revisions = Float64Array.from({ length: KV_KEYS }, (_, i) => i + 1);
  const value = payload(KV_SIZE);
  const call = (method: string, i: number, headers: Record<string, string>, done: Done) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `/v1/kv/bench/keys/k${i}`,
        agent,
        headers: { authorization: `Bearer ${key}`, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          // A lost compare-and-swap is a correct answer, not a failure: it counts as no write.
          if (res.statusCode === 412) return done(null, 0, 0);
          if (res.statusCode !== 200) {
            const text = Buffer.concat(chunks).toString().slice(0, 200);
            return done(new Error(`HTTP ${res.statusCode}: ${text}`));
          }
          // Responses to concurrent puts of one key may arrive out of order: keep the newest.
          const rev = Number(res.headers["strata-revision"]);
          if (method === "PUT") revisions[i] = Math.max(revisions[i]!, rev);
          done(null, 1, KV_SIZE);
        });
      },
    );
    req.on("error", (err) => done(err));
    req.end(method === "PUT" ? value : undefined);
  };
  const put = { "content-type": "application/octet-stream", "content-length": String(KV_SIZE) };
  return {
    label: "Strata REST",
    inFlight: 64,
    seed: () => seedEntries(pool, bucket),
    put: (i, done) => call("PUT", i, put, done),
    get: (i, done) => call("GET", i, {}, done),
    cas: (i, done) => call("PUT", i, { ...put, "if-match": `"${revisions[i]}"` }, done),
    close: async () => agent.destroy(),
  };
}

async function bucketId(pool: Pool, tenantId: string, name: string): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into kv_buckets (tenant_id, name) values ($1, $2)
     on conflict (tenant_id, name) do update set name = excluded.name returning id`,
    [tenantId, name],
  );
  return Number(rows[0]!.id);
}

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const rows: ResultRow[] = [];
  const notes: string[] = [];
  const ceilings: Ceilings = { put: new Map(), get: new Map() };
  const bench = await createBenchDatabase();
  ctx.log(`bench database ${bench.db.name}`);
  try {
    // 1. Raw Postgres ceiling: the best of single-row and batched statements, per operation.
    const { rows: t } = await bench.pool.query<{ id: string }>(
      "insert into tenants (name) values ('raw-kv-bench') returning id",
    );
    const raw = await bucketId(bench.pool, t[0]!.id, "raw");
    for (const mode of ["single", "batch", "run"] as const) {
      const prefix = `raw.${mode}`;
      rows.push(...(await measureKv(ctx, prefix, rawTarget(bench.pool, raw, mode), ceilings)));
    }
    for (const op of ["put", "get"] as const) {
      // The ceiling is the workload's own: random keys (not `raw.run`'s neighbouring ones).
      const best = Math.max(
        0,
        ...rows
          .filter((r) => r.id.endsWith(`.${op}`) && !r.id.startsWith("raw.run"))
          .map((r) => r.msgsPerSec ?? 0),
      );
      if (best > 0) ceilings[op].set(KV_SIZE, best);
    }
    for (const r of rows) {
      const c = ceilings[r.id.endsWith(".get") ? "get" : "put"].get(KV_SIZE);
      if (c && r.msgsPerSec !== undefined)
        Object.assign(r, { ratio: Math.round((r.msgsPerSec / c) * 1000) / 1000 });
    }

    // 2. Strata, as a child process on the same database.
    const strataCases = ["rest", "ws", "ws-batch"].flatMap((p) =>
      ["put", "get", "cas"].map((o) => `${p}.${o}`),
    );
    if (strataCases.some((id) => ctx.selected(id))) {
      ctx.log("starting Strata …");
      const profDir = join(ctx.resultsDir, "prof");
      const since = Date.now();
      const server = await StrataServer.start({
        databaseUrl: bench.db.url,
        ...(ctx.profile ? { cpuProfileDir: profDir } : {}),
      });
      try {
        const { tenantId, secret } = await server.tenantKey("kv-bench", ["kv:read", "kv:write"]);
        await fetch(`${server.baseUrl}/v1/kv/bench`, {
          method: "PUT",
          headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
          body: "{}",
        });
        const id = await bucketId(bench.pool, tenantId, "bench");
        // Seeded once for both transports: seeding sets the bucket's revision, which the owner holds.
        let seeded: Promise<void> | undefined;
        const seed = () => (seeded ??= seedEntries(bench.pool, id));
        const rest = { ...strataTarget(server.baseUrl, secret, bench.pool, id), seed };
        const ws = await wsKvTarget(server.wsUrl, secret, seed, {
          connections: 4,
          inFlight: 4000,
        });
        const wsBatch = await wsKvBatchTarget(server.wsUrl, secret, seed, {
          connections: 4,
          inFlight: 40,
          batch: BATCH,
        });
        const targets = [
          ["rest", rest] as const,
          ["ws", ws] as const,
          ["ws-batch", wsBatch] as const,
        ];
        for (const [prefix, target] of targets) {
          const m = await withCpu(server.pid, () => measureKv(ctx, prefix, target, ceilings));
          for (const r of m.value)
            rows.push({
              ...r,
              note: [r.note, cpuNote(m.clientCpuPct, m.serverCpuPct)].filter(Boolean).join("; "),
            });
          await target.close();
        }
      } catch (err) {
        notes.push(`Strata cases stopped early: ${(err as Error).message}`);
        ctx.log(`Strata output (tail):\n${server.output().slice(-3000)}`);
      } finally {
        await server.stop();
      }
      if (ctx.profile) notes.push(...reportProfiles(profDir, since));
    }

    // 3. Peers on this machine.
    rows.push(...(await measurePeer(ctx, "peer.redis", redisTarget, ceilings)));
    rows.push(...(await measurePeer(ctx, "peer.nats", natsTarget, ceilings)));
  } finally {
    await bench.close();
  }
  notes.push(
    "Client, server, Postgres and peers share this machine; figures vary ±30% run to run.",
    "Ratios: ops/s (batched raw rows count one each) over the best raw Postgres figure for the same operation; CAS is compared with raw puts.",
    "Strata CPU is measured over the put, get and CAS cases of one transport together.",
  );
  return { rows, targets: kvTargets(rows, ceilings), notes };
}

type SuiteResult = Awaited<ReturnType<Suite["run"]>>;

function kvTargets(rows: readonly ResultRow[], ceilings: Ceilings): TargetCheck[] {
  return (["put", "get"] as const).map((op) => {
    const name = `Strata ${op}s (best of WS, WS batch frames and REST) ≥ 0.50× raw Postgres`;
    const row = rows
      .filter(
        (r) =>
          [`rest.${op}`, `ws.${op}`, `ws-batch.${op}`].includes(r.id) && r.msgsPerSec !== undefined,
      )
      .sort((a, b) => b.msgsPerSec! - a.msgsPerSec!)[0];
    const ceiling = ceilings[op].get(KV_SIZE);
    if (!row || !ceiling) return { name, pass: null, detail: "not measured" };
    const ratio = row.msgsPerSec! / ceiling;
    return {
      name,
      pass: ratio >= 0.5,
      detail: `${row.id}: ${fmtRate(row.msgsPerSec)} ops/s = ${ratio.toFixed(2)}× of raw ${fmtRate(ceiling)} ops/s; p99 ${row.p99Ms} ms`,
    };
  });
}
