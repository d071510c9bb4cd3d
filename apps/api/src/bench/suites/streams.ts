import { join } from "node:path";
import { HttpClient } from "../lib/http.js";
import { type LoadWindow } from "../lib/load.js";
import { withCpu } from "../lib/proc.js";
import { reportProfiles } from "../lib/profile.js";
import { StrataServer } from "../lib/server.js";
import { type ResultRow, type Suite, type SuiteContext, type SuiteResult } from "../lib/types.js";
import { natsPublish, redisXadd, redisXaddSingles } from "../streams/peers.js";
import { rawCopy, rawInsert } from "../streams/raw-pg.js";
import {
  type Ceilings,
  commitNote,
  cpuNote,
  fanoutRow,
  loadRow,
  skippedRow,
  streamTargets,
} from "../streams/report.js";
import {
  createStreams,
  primeStreams,
  restBatches,
  restSingleAtRate,
  restSingles,
} from "../streams/rest.js";
import {
  type BenchDatabase,
  createBenchDatabase,
  resetMessages,
  seedRawStreams,
  settleDatabase,
  SIZES,
  STREAMS,
} from "../streams/setup.js";
import { subscriberAndTenantCases } from "../streams/more-cases.js";
import { wsRestart } from "../streams/restart.js";
import { wsAppends, wsAppendsAtRate, wsFanout } from "../streams/ws.js";
import { StrataSocket, WsUnavailable } from "../streams/ws-client.js";

const RATE = 5000;
const FANOUT_SUBSCRIBERS = 1000;
const STRATA_CASES = [
  ...SIZES.flatMap((s) => [`rest.batch.${s}`, `ws.append.${s}`]),
  "rest.single.200",
  "ws.latency.5000",
  "rest.latency.5000",
  "ws.fanout",
  "ws.catchup",
  "ws.noisy",
  "ws.restart",
];

export const suite: Suite = {
  name: "streams",
  description:
    "appends into 1,000 streams: raw Postgres ceiling, Strata REST and WebSocket, latency, fan-out, Redis/NATS peers",
  run,
};

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const rows: ResultRow[] = [];
  const notes: string[] = [];
  const ceilings: Ceilings = new Map();
  const w: LoadWindow = { warmupMs: ctx.warmupMs, durationMs: ctx.durationMs };
  const bench = await createBenchDatabase();
  ctx.log(`bench database ${bench.db.name}`);
  try {
    // 1. Raw Postgres ceiling.
    const rawIds = await seedRawStreams(bench.pool, STREAMS);
    for (const size of SIZES) {
      let best = 0;
      for (const [kind, runner, label] of [
        ["insert", rawInsert, "raw PG INSERT VALUES ×1000 rows, 4 conns"],
        ["copy", rawCopy, "raw PG COPY binary ×1000 rows, 4 conns"],
      ] as const) {
        const id = `raw.${kind}.${size}`;
        if (!ctx.selected(id)) continue;
        await resetMessages(bench.pool);
        ctx.log(`${id} …`);
        const r = await runner({ ...w, pool: bench.pool, streamIds: rawIds, size, connections: 4 });
        best = Math.max(best, r.msgsPerSec);
        rows.push(loadRow(id, label, size, r, new Map()));
      }
      if (best > 0) ceilings.set(size, best);
    }
    for (const r of rows) {
      const c = r.size !== undefined ? ceilings.get(r.size) : undefined;
      if (c && r.msgsPerSec !== undefined) Object.assign(r, { ratio: r.msgsPerSec / c });
    }
    await resetMessages(bench.pool);

    // 2–4, 6. Strata, as a child process on the same database.
    if (STRATA_CASES.some((id) => ctx.selected(id))) {
      await strataCases(ctx, bench, w, ceilings, rows, notes);
    }

    // 5. Peers.
    for (const size of SIZES) {
      const rid = `peer.redis.${size}`;
      if (ctx.selected(rid)) {
        ctx.log(`${rid} …`);
        await redisXadd({ ...w, streams: STREAMS, size, pipeline: 64, inFlight: 4 }).then(
          (r) =>
            rows.push(loadRow(rid, "Redis XADD, pipelines of 64, 4 in flight", size, r, ceilings)),
          (err: Error) => rows.push(skippedRow(rid, "Redis XADD", err.message, size)),
        );
      }
      const sid = `peer.redis16.${size}`;
      if (ctx.selected(sid)) {
        ctx.log(`${sid} …`);
        const label = "Redis XADD, single commands, 16 in flight";
        await redisXaddSingles({ ...w, streams: STREAMS, size, inFlight: 16 }).then(
          (r) => rows.push(loadRow(sid, label, size, r, ceilings)),
          (err: Error) => rows.push(skippedRow(sid, label, err.message, size)),
        );
      }
      const nid = `peer.nats.${size}`;
      if (ctx.selected(nid)) {
        ctx.log(`${nid} …`);
        await natsPublish({ ...w, streams: STREAMS, size, inFlight: 256 }).then(
          (r) =>
            rows.push(
              loadRow(nid, "NATS JetStream publish (file), 256 in flight", size, r, ceilings),
            ),
          (err: Error) => rows.push(skippedRow(nid, "NATS JetStream publish", err.message, size)),
        );
      }
    }
  } finally {
    await bench.close();
  }
  notes.push(
    "Client and server share the same 2 cores; figures vary ±30% run to run.",
    "Ratios are msgs/s over the best raw Postgres figure (INSERT or COPY) for the same value size.",
  );
  return { rows, targets: streamTargets(rows, ceilings), notes };
}

async function strataCases(
  ctx: SuiteContext,
  bench: BenchDatabase,
  w: LoadWindow,
  ceilings: Ceilings,
  rows: ResultRow[],
  notes: string[],
): Promise<void> {
  ctx.log("starting Strata …");
  const profDir = join(ctx.resultsDir, "prof");
  const since = Date.now();
  const start = () =>
    StrataServer.start({
      databaseUrl: bench.db.url,
      ...(ctx.profile ? { cpuProfileDir: profDir } : {}),
    });
  let server = await start();
  const measured = async <T>(work: () => Promise<T>) => {
    await settleDatabase(bench.pool);
    return withCpu(server.pid, work);
  };
  try {
    const { secret } = await server.tenantKey("bench", ["streams:read", "streams:write"]);
    const http = new HttpClient(server.baseUrl, { authorization: `Bearer ${secret}` }, 16);
    const names = Array.from({ length: STREAMS }, (_, i) => `bench.s${i}`);
    ctx.log(`creating and priming ${STREAMS} streams …`);
    await createStreams(http, names);
    await primeStreams(http, names);

    for (const size of SIZES) {
      const id = `rest.batch.${size}`;
      if (!ctx.selected(id)) continue;
      ctx.log(`${id} …`);
      const m = await measured(() =>
        restBatches({ ...w, http, names, size, batch: 100, inFlight: 16 }),
      );
      const note = cpuNote(m.clientCpuPct, m.serverCpuPct);
      rows.push(
        loadRow(id, "Strata REST batches of 100, 16 in flight", size, m.value, ceilings, { note }),
      );
    }

    if (ctx.selected("rest.single.200")) {
      ctx.log("rest.single.200 …");
      const single = new HttpClient(server.baseUrl, { authorization: `Bearer ${secret}` }, 64);
      const m = await measured(() =>
        restSingles({ ...w, http: single, names, size: 200, inFlight: 64 }),
      );
      single.close();
      const note = cpuNote(m.clientCpuPct, m.serverCpuPct);
      const label = "Strata REST single POSTs, 64 in flight";
      rows.push(loadRow("rest.single.200", label, 200, m.value, ceilings, { note }));
    }

    const target = { wsUrl: server.wsUrl, key: secret };
    const wsDown = await StrataSocket.connect(target.wsUrl, secret).then(
      (s) => (s.close(), undefined),
      (err: Error) => (err instanceof WsUnavailable ? err.message : `${err.message}`),
    );
    if (wsDown) notes.push(`WebSocket endpoint not available (${wsDown}): WS cases skipped.`);

    for (const size of SIZES) {
      const id = `ws.append.${size}`;
      if (!ctx.selected(id)) continue;
      if (wsDown) {
        rows.push(
          skippedRow(id, "Strata WS pipelined appends", "WebSocket endpoint not available", size),
        );
        continue;
      }
      ctx.log(`${id} …`);
      const before = await server.commitTotals();
      const m = await measured(() =>
        wsAppends({ ...w, ...target, names, size, connections: 4, inFlight: 4000 }),
      );
      const commits = commitNote(before, await server.commitTotals());
      const note = `${cpuNote(m.clientCpuPct, m.serverCpuPct)}; ${commits}`;
      const label = "Strata WS pipelined appends, 4 conns, 4,000 in flight";
      rows.push(loadRow(id, label, size, m.value, ceilings, { note }));
    }

    if (ctx.selected("ws.latency.5000")) {
      const label = `Strata WS appends at ${RATE}/s (latency)`;
      if (wsDown)
        rows.push(skippedRow("ws.latency.5000", label, "WebSocket endpoint not available", 200));
      else {
        ctx.log("ws.latency.5000 …");
        await settleDatabase(bench.pool);
        const r = await wsAppendsAtRate({ ...w, ...target, names, size: 200, rate: RATE });
        rows.push(loadRow("ws.latency.5000", label, 200, r, ceilings, { latency: true }));
      }
    }
    if (ctx.selected("rest.latency.5000")) {
      ctx.log("rest.latency.5000 …");
      await settleDatabase(bench.pool);
      const single = new HttpClient(server.baseUrl, { authorization: `Bearer ${secret}` }, 64);
      const r = await restSingleAtRate({ ...w, http: single, names, size: 200, rate: RATE });
      single.close();
      const label = `Strata REST single POSTs at ${RATE}/s (latency)`;
      rows.push(loadRow("rest.latency.5000", label, 200, r, ceilings, { latency: true }));
    }

    if (ctx.selected("ws.fanout")) {
      const label = `Strata WS fan-out: 1 stream → ${FANOUT_SUBSCRIBERS} subscribers (deliveries/s)`;
      if (wsDown)
        rows.push(skippedRow("ws.fanout", label, "WebSocket endpoint not available", 200));
      else {
        ctx.log("ws.fanout …");
        await http.json("PUT", "/v1/streams/fanout.1", {});
        const m = await measured(() =>
          wsFanout({
            ...w,
            ...target,
            stream: "fanout.1",
            size: 200,
            subscribers: FANOUT_SUBSCRIBERS,
            inFlight: 1000,
            rss: () => server.rss(),
          }),
        );
        rows.push(fanoutRow(label, m.value, cpuNote(m.clientCpuPct, m.serverCpuPct)));
      }
    }
    if (!wsDown) {
      const settle = () => settleDatabase(bench.pool);
      rows.push(
        ...(await subscriberAndTenantCases(ctx, { ...w, server, key: secret, http, settle })),
      );
    }
    http.close();

    if (ctx.selected("ws.restart") && !wsDown) {
      ctx.log("ws.restart …");
      const label = `Strata WS: graceful restart under load, ${STREAMS} streams ack again`;
      const old = server;
      const { result, server: next } = await wsRestart({
        ...w,
        old,
        start,
        key: secret,
        names,
        size: 200,
      });
      server = next;
      rows.push({
        id: "ws.restart",
        label,
        size: 200,
        note: `ready ${result.readyMs} ms after SIGTERM; sockets open ${result.connectedMs} ms later; first acks p50 ${result.firstAckP50Ms} ms, last ${result.firstAckMaxMs} ms; ${result.retried} retried`,
        extra: { ...result },
      });
    }
  } catch (err) {
    notes.push(`Strata cases stopped early: ${(err as Error).message}`);
    ctx.log(`Strata output (tail):\n${server.output().slice(-3000)}`);
  } finally {
    await server.stop();
  }
  if (ctx.profile) notes.push(...reportProfiles(profDir, since));
}
