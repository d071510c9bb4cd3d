import { randomBytes } from "node:crypto";
import { HttpClient } from "../lib/http.js";
import { fixedRate, type LoadResult, sleep } from "../lib/load.js";
import { StrataServer } from "../lib/server.js";
import { type ResultRow, type Suite, type SuiteContext } from "../lib/types.js";
import { createStreams, primeStreams, restBatches } from "../streams/rest.js";
import { createBenchDatabase, payload } from "../streams/setup.js";

const STREAMS = 100;
const SIZE = 200;
const LEASE_TTL_MS = 3000;

function row(id: string, label: string, r: LoadResult, note?: string): ResultRow {
  return {
    id,
    label,
    size: SIZE,
    msgsPerSec: r.msgsPerSec,
    mbPerSec: r.mbPerSec,
    p50Ms: r.latency.p50Ms,
    p99Ms: r.latency.p99Ms,
    ...(note ? { note } : {}),
    extra: { errors: r.errors, firstError: r.firstError ?? null },
  };
}

/** Single raw appends to one stream through `http`, at `rate`/s; returns the ack times too. */
function singles(
  http: HttpClient,
  stream: string,
  rate: number,
  ctx: SuiteContext,
  acks?: number[],
) {
  const body = payload(SIZE);
  let n = 0;
  return fixedRate({
    warmupMs: ctx.warmupMs,
    durationMs: ctx.durationMs,
    rate,
    maxInFlight: 500,
    op: (done) =>
      http.request(
        "POST",
        `/v1/streams/${stream}/messages`,
        body,
        "application/octet-stream",
        (err, status, res) => {
          if (err) return done(err);
          if (status !== 201)
            return done(new Error(`HTTP ${status}: ${res.toString().slice(0, 120)}`));
          acks?.push(Date.now());
          done(null, 1, SIZE);
        },
        { "strata-msg-id": `m-${n++}` },
      ),
  });
}

async function ownerIndex(
  http: HttpClient,
  stream: string,
  nodes: StrataServer[],
): Promise<number> {
  const info = await http.json<{ owner: { node_id: string } | null }>(
    "GET",
    `/v1/streams/${stream}`,
  );
  const name = info.owner?.node_id.replace(/-[0-9a-f]{8}$/, "");
  return nodes.findIndex((_, i) => name === `bench-${i}`);
}

export const suite: Suite = {
  name: "cluster",
  description:
    "Appends with clients on 1 vs 3 nodes, the cost of forwarding, the failover gap after kill -9",
  async run(ctx) {
    const rows: ResultRow[] = [];
    const notes: string[] = [
      "All nodes, PostgreSQL, Redis and the load generator share the same 2 cores: the 3-node figures show the cost of forwarding, not the gain of more machines.",
    ];
    const bench = await createBenchDatabase();
    const env = {
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      STRATA_CLUSTER_SECRET: randomBytes(24).toString("hex"),
      STRATA_REDIS_PREFIX: `bench${randomBytes(3).toString("hex")}`,
      STRATA_LEASE_TTL_MS: String(LEASE_TTL_MS),
      STRATA_HEARTBEAT_MS: "500",
    };
    const nodes: StrataServer[] = [];
    const clients: HttpClient[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        nodes.push(
          await StrataServer.start({
            databaseUrl: bench.db.url,
            env: { ...env, STRATA_NODE_NAME: `bench-${i}` },
          }),
        );
      }
      const key = await nodes[0]!.tenantKey("cluster-bench", ["streams:read", "streams:write"]);
      for (const n of nodes)
        clients.push(new HttpClient(n.baseUrl, { authorization: `Bearer ${key.secret}` }, 16));
      const names = Array.from({ length: STREAMS }, (_, i) => `c${i}`);
      await createStreams(clients[0]!, names);
      await primeStreams(clients[0]!, names);
      const window = { warmupMs: ctx.warmupMs, durationMs: ctx.durationMs };

      if (ctx.selected("cluster.rest.1")) {
        ctx.log("REST batches, every client on node 0 (two thirds of the streams forwarded)");
        const r = await restBatches({
          ...window,
          http: clients[0]!,
          names,
          size: SIZE,
          batch: 100,
          inFlight: 8,
        });
        rows.push(row("cluster.rest.1", "REST batches, clients on 1 node", r));
      }
      if (ctx.selected("cluster.rest.3")) {
        ctx.log("REST batches, clients spread over 3 nodes");
        const parts = await Promise.all(
          clients.map((http) =>
            restBatches({ ...window, http, names, size: SIZE, batch: 100, inFlight: 3 }),
          ),
        );
        const sum = parts.reduce((a, p) => ({
          ...p,
          msgsPerSec: a.msgsPerSec + p.msgsPerSec,
          mbPerSec: a.mbPerSec + p.mbPerSec,
          errors: a.errors + p.errors,
        }));
        rows.push(row("cluster.rest.3", "REST batches, clients on 3 nodes", sum));
      }
      const stream = names[0]!;
      const owner = await ownerIndex(clients[0]!, stream, nodes);
      const other = (owner + 1) % 3;
      if (ctx.selected("cluster.forward")) {
        ctx.log(
          `single appends at 500/s: straight to the owner (node ${owner}) and through node ${other}`,
        );
        rows.push(
          row(
            "cluster.direct",
            "single appends to the owner, 500/s",
            await singles(clients[owner]!, stream, 500, ctx),
          ),
        );
        rows.push(
          row(
            "cluster.forward",
            "single appends via another node, 500/s",
            await singles(clients[other]!, stream, 500, ctx),
          ),
        );
      }
      if (ctx.selected("cluster.failover")) {
        ctx.log(
          `failover: 200 appends/s through node ${other}, kill -9 of node ${owner} after 2 s`,
        );
        const acks: number[] = [];
        const run = singles(
          clients[other]!,
          stream,
          200,
          { ...ctx, durationMs: Math.max(ctx.durationMs, 4 * LEASE_TTL_MS) },
          acks,
        );
        await sleep(ctx.warmupMs + 2000);
        const killedAt = Date.now();
        nodes[owner]!.kill();
        const r = await run;
        const after = acks.filter((t) => t > killedAt).sort((a, b) => a - b)[0];
        const gap = after !== undefined ? after - killedAt : undefined;
        rows.push({
          id: "cluster.failover",
          label: "failover gap after kill -9 of the owner",
          note:
            gap !== undefined
              ? `${gap} ms without acks (lease TTL ${LEASE_TTL_MS} ms)`
              : "no ack after the kill",
          extra: { gapMs: gap ?? null, errors: r.errors, leaseTtlMs: LEASE_TTL_MS },
        });
      }
      return {
        rows,
        notes,
        targets: rows
          .filter((r) => r.id === "cluster.failover")
          .map((r) => ({
            name: "failover gap < 2× lease TTL",
            pass: typeof r.extra?.gapMs === "number" ? r.extra.gapMs < 2 * LEASE_TTL_MS : null,
            detail: r.note ?? "",
          })),
      };
    } finally {
      for (const c of clients) c.close();
      for (const n of nodes) await n.stop(5000).catch(() => undefined);
      await bench.close();
    }
  },
};
