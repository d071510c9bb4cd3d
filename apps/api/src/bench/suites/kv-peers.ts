// Peers for the `kv` suite (Redis SET/GET, NATS KV put/get/update), and the
// shared driver that measures put/get/CAS against any key-value target.
// Also a suite of its own: `npm run bench -- kv-peers` runs the peers alone.
import { Redis } from "ioredis";
import { connect, StorageType } from "nats";
import { closedLoop, type Done, type LoadWindow } from "../lib/load.js";
import { type ResultRow, type Suite, type SuiteContext } from "../lib/types.js";
import { NATS_URL, REDIS_URL } from "../streams/peers.js";
import { loadRow, skippedRow } from "../streams/report.js";
import { payload } from "../streams/setup.js";

/** The workload: 100 B values over 100,000 keys, keys picked uniformly at random. */
export const KV_KEYS = 100_000;
export const KV_SIZE = 100;
export const KV_OPS = ["put", "get", "cas"] as const;
export type KvOpName = (typeof KV_OPS)[number];

/** One key-value system under test; `i` is the key index. */
export interface KvTarget {
  readonly label: string;
  readonly inFlight: number;
  /** Writes every key once, so gets hit and CAS has a revision. */
  seed(): Promise<void>;
  put(i: number, done: Done): void;
  get(i: number, done: Done): void;
  /** Compare-and-swap against the revision this client saw last; absent when the system has none. */
  cas?: (i: number, done: Done) => void;
  close(): Promise<void>;
}

const pick = () => Math.floor(Math.random() * KV_KEYS);

/** `n` distinct key indexes, each uniformly random: the workload's keys, `n` at a time. */
export function randomKeys(n: number): number[] {
  const keys = new Set<number>();
  while (keys.size < n) keys.add(pick());
  return [...keys];
}

/** Runs put, get and CAS against `t` (each selected by `<prefix>.<op>`), one table row each. */
export async function measureKv(
  ctx: SuiteContext,
  prefix: string,
  t: KvTarget,
  ceilings: Record<"put" | "get", Map<number, number>>,
): Promise<ResultRow[]> {
  const w: LoadWindow = { warmupMs: ctx.warmupMs, durationMs: ctx.durationMs };
  const rows: ResultRow[] = [];
  if (!KV_OPS.some((op) => ctx.selected(`${prefix}.${op}`))) return rows;
  ctx.log(`${prefix}: seeding ${KV_KEYS} keys …`);
  await t.seed();
  for (const op of KV_OPS) {
    const id = `${prefix}.${op}`;
    if (!ctx.selected(id)) continue;
    const run = op === "cas" ? t.cas : op === "put" ? t.put.bind(t) : t.get.bind(t);
    const label = `${t.label} ${op.toUpperCase()}, ${t.inFlight} in flight`;
    if (!run) {
      rows.push(skippedRow(id, label, "no compare-and-swap", KV_SIZE));
      continue;
    }
    ctx.log(`${id} …`);
    const r = await closedLoop({ ...w, inFlight: t.inFlight, op: (done) => run(pick(), done) });
    const ceiling = ceilings[op === "get" ? "get" : "put"];
    rows.push(loadRow(id, label, KV_SIZE, r, ceiling, { latency: true }));
  }
  return rows;
}

/** Redis SET/GET on one connection, `inFlight` commands outstanding (no CAS: WATCH needs a connection per op). */
export async function redisTarget(): Promise<KvTarget> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const key = (i: number) => `strata-bench-kv:${i}`;
  const value = payload(KV_SIZE);
  const settle = (p: Promise<unknown>, done: Done) =>
    p.then(
      () => done(null, 1, KV_SIZE),
      (err: unknown) => done(err),
    );
  return {
    label: "Redis",
    inFlight: 64,
    async seed() {
      for (let i = 0; i < KV_KEYS; i += 1000) {
        const p = redis.pipeline();
        for (let j = i; j < i + 1000; j++) p.set(key(j), value);
        await p.exec();
      }
    },
    put: (i, done) => settle(redis.set(key(i), value), done),
    get: (i, done) => settle(redis.getBuffer(key(i)), done),
    async close() {
      for (let i = 0; i < KV_KEYS; i += 1000)
        await redis.del(...Array.from({ length: 1000 }, (_, j) => key(i + j)));
      redis.disconnect();
    },
  };
}

/** NATS KV (JetStream, file storage, history 1): put, get, update(key, value, revision). */
export async function natsTarget(): Promise<KvTarget> {
  const nc = await connect({ servers: NATS_URL, timeout: 5000 });
  const kv = await nc
    .jetstream({ timeout: 30_000 })
    .views.kv(`strata_bench_${process.pid}`, { history: 1, storage: StorageType.File });
  const revisions = new Float64Array(KV_KEYS);
  const value = payload(KV_SIZE);
  const wrote = (i: number, done: Done) => (rev: number) => {
    revisions[i] = Math.max(revisions[i]!, rev);
    done(null, 1, KV_SIZE);
  };
  // A lost compare-and-swap (another write got there first) counts as no write, not an error.
  const lost = (done: Done) => (err: Error) =>
    /wrong last sequence/.test(err.message) ? done(null, 0, 0) : done(err);
  return {
    label: "NATS KV",
    inFlight: 64,
    async seed() {
      for (let i = 0; i < KV_KEYS; i += 500) {
        const batch = Array.from({ length: 500 }, (_, j) => i + j);
        await Promise.all(batch.map(async (k) => (revisions[k] = await kv.put(`k${k}`, value))));
      }
    },
    put: (i, done) => void kv.put(`k${i}`, value).then(wrote(i, done), done),
    get: (i, done) =>
      void kv
        .get(`k${i}`)
        .then(
          (e) => (e ? done(null, 1, e.value.byteLength) : done(new Error(`k${i} missing`))),
          done,
        ),
    cas: (i, done) =>
      void kv.update(`k${i}`, value, revisions[i]!).then(wrote(i, done), lost(done)),
    async close() {
      await kv.destroy().catch(() => undefined);
      await nc.drain().catch(() => undefined);
    },
  };
}

/** Measures one peer, or a skipped row when it is not running. */
export async function measurePeer(
  ctx: SuiteContext,
  prefix: string,
  make: () => Promise<KvTarget>,
  ceilings: Record<"put" | "get", Map<number, number>>,
): Promise<ResultRow[]> {
  if (!KV_OPS.some((op) => ctx.selected(`${prefix}.${op}`))) return [];
  let t: KvTarget;
  try {
    t = await make();
  } catch (err) {
    return [skippedRow(`${prefix}.*`, prefix, (err as Error).message, KV_SIZE)];
  }
  try {
    return await measureKv(ctx, prefix, t, ceilings);
  } finally {
    await t.close();
  }
}

export const suite: Suite = {
  name: "kv-peers",
  description: "the kv suite's peers alone: Redis SET/GET and NATS KV put/get/update",
  async run(ctx) {
    const none = { put: new Map<number, number>(), get: new Map<number, number>() };
    const rows = [
      ...(await measurePeer(ctx, "peer.redis", redisTarget, none)),
      ...(await measurePeer(ctx, "peer.nats", natsTarget, none)),
    ];
    return { rows, targets: [], notes: [] };
  },
};
