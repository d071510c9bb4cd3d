import { loadavg } from "node:os";
import { fmtBytes, fmtMs, fmtRate } from "../lib/format.js";
import { type LoadResult } from "../lib/load.js";
import { type CommitTotals } from "../lib/server.js";
import { CATCHUP_BACKLOG, CATCHUP_TARGET } from "./catchup.js";
import { type FanoutResult } from "./ws.js";
import { type ResultRow, type TargetCheck } from "../lib/types.js";

export type Extra = Record<string, number | string | boolean | null>;

/** Raw Postgres ceiling per value size (msgs/s), filled by the raw runners. */
export type Ceilings = Map<number, number>;

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A table row from a load run; ratio against the ceiling for the same size. */
export function loadRow(
  id: string,
  label: string,
  size: number,
  r: LoadResult,
  ceilings: Ceilings,
  options: { latency?: boolean; note?: string; extra?: Extra } = {},
): ResultRow {
  const ceiling = ceilings.get(size);
  const notes = [options.note ?? ""];
  if (r.errors) notes.push(`${r.errors} errors (first: ${r.firstError ?? "?"})`);
  if (r.offeredPerSec !== undefined) notes.push(`offered ${fmtRate(r.offeredPerSec)}/s`);
  return {
    id,
    label,
    size,
    msgsPerSec: round(r.msgsPerSec, 0),
    mbPerSec: round(r.mbPerSec),
    ...(ceiling ? { ratio: round(r.msgsPerSec / ceiling, 3) } : {}),
    ...(options.latency
      ? { p50Ms: round(r.latency.p50Ms, 3), p99Ms: round(r.latency.p99Ms, 3) }
      : {}),
    ...(options.latency ? { p999Ms: round(r.latency.p999Ms, 3) } : {}),
    note: notes.filter(Boolean).join("; ").slice(0, 160),
    extra: {
      msgs: r.msgs,
      errors: r.errors,
      seconds: r.seconds,
      opP50Ms: round(r.latency.p50Ms, 3),
      opP99Ms: round(r.latency.p99Ms, 3),
      opMaxMs: round(r.latency.maxMs, 3),
      loadavg1: round(loadavg()[0]!),
      ...options.extra,
    },
  };
}

/** A row for a case that could not run, with the reason. */
export function skippedRow(id: string, label: string, reason: string, size?: number): ResultRow {
  return { id, label, ...(size !== undefined ? { size } : {}), note: `skipped: ${reason}` };
}

export function cpuNote(client: number, server: number): string {
  const s = Number.isFinite(server) ? ` server ${server.toFixed(0)}%` : "";
  return `CPU: client ${client.toFixed(0)}%${s}`;
}

/** Transactions the owner ran between two /metrics readings: how many, how big, how long. */
export function commitNote(before: CommitTotals, after: CommitTotals): string {
  const commits = after.commits - before.commits;
  if (!(commits > 0)) return "commits: ?";
  const msgs = (after.messages - before.messages) / commits;
  const ms = ((after.seconds - before.seconds) / (after.committed - before.committed)) * 1000;
  return `${commits} commits, avg ${msgs.toFixed(0)} msgs, ${ms.toFixed(1)} ms`;
}

export function rssNote(before: number, subscribed: number, mid: number, after: number): string {
  const mib = (n: number) => (Number.isFinite(n) ? fmtBytes(Math.round(n)) : "?");
  return `server RSS ${mib(before)} → ${mib(subscribed)} subscribed → ${mib(mid)} halfway → ${mib(after)} after`;
}

const P99_TARGET_MS = 10;
const FANOUT_TARGET = 1_000_000;
const REST_SINGLE_TARGET = 5_000;
/** RSS may grow this much over the measured window and still count as flat (allocator noise). */
const RSS_FLAT_SLACK = 1.1;

/** "a ≥ factor × b", both rows of this run; not measured when either is missing. */
function atLeast(
  name: string,
  a: ResultRow | undefined,
  b: number | undefined,
  factor: number,
  bLabel: string,
): TargetCheck {
  if (!a || b === undefined || !(b > 0)) return { name, pass: null, detail: "not measured" };
  const need = b * factor;
  const rate = a.msgsPerSec!;
  return {
    name,
    pass: rate >= need,
    detail:
      `${fmtRate(rate)} msgs/s = ${(rate / b).toFixed(2)}× ${bLabel} ${fmtRate(b)}` +
      (rate < need ? ` — needs ${fmtRate(need)} (${((rate / need) * 100).toFixed(0)}%)` : ""),
  };
}

/** The PASS/MISS lines of the streams hot-path targets, from the rows of this run. */
export function streamTargets(rows: readonly ResultRow[], ceilings: Ceilings): TargetCheck[] {
  const byId = (id: string) => rows.find((r) => r.id === id && r.msgsPerSec !== undefined);
  const restart = rows.find((r) => r.id === "ws.restart" && r.extra?.firstAckMaxMs !== undefined);
  const rate = (id: string) => byId(id)?.msgsPerSec;
  const ws = byId("ws.append.200");
  const out: TargetCheck[] = [
    atLeast("WS appends ≥ 0.55× raw INSERT ×1000", ws, rate("raw.insert.200"), 0.55, "raw"),
    atLeast("WS appends ≥ 3× JetStream", ws, rate("peer.nats.200"), 3, "JetStream"),
    atLeast(
      "WS appends ≥ 0.8× Redis XADD (16 in flight)",
      ws,
      rate("peer.redis16.200"),
      0.8,
      "Redis",
    ),
  ];
  const lat = byId("ws.latency.5000");
  const latName = `WS append p99 < ${P99_TARGET_MS} ms at 5,000 msgs/s`;
  out.push(
    lat
      ? {
          name: latName,
          pass: lat.p99Ms! < P99_TARGET_MS,
          detail: `p50 ${fmtMs(lat.p50Ms)} ms, p99 ${fmtMs(lat.p99Ms)} ms, p99.9 ${fmtMs(lat.p999Ms)} ms`,
        }
      : { name: latName, pass: null, detail: "not measured" },
  );
  const single = byId("rest.single.200");
  out.push(
    single
      ? {
          name: "REST single POSTs (64 in flight) ≥ 5,000/s",
          pass: single.msgsPerSec! >= REST_SINGLE_TARGET,
          detail: `${fmtRate(single.msgsPerSec)} msgs/s`,
        }
      : { name: "REST single POSTs (64 in flight) ≥ 5,000/s", pass: null, detail: "not measured" },
    atLeast("REST batches ≥ 0.5× raw", byId("rest.batch.200"), ceilings.get(200), 0.5, "raw"),
  );
  const fan = byId("ws.fanout");
  const fanName = "fan-out ≥ 1,000,000 deliveries/s, RSS flat";
  if (!fan) out.push({ name: fanName, pass: null, detail: "not measured" });
  else {
    const x = fan.extra as { rssMid: number; rssAfter: number };
    const flat = x.rssAfter <= x.rssMid * RSS_FLAT_SLACK;
    out.push({
      name: fanName,
      pass: fan.msgsPerSec! >= FANOUT_TARGET && flat,
      detail:
        `${fmtRate(fan.msgsPerSec)} deliveries/s (${((fan.msgsPerSec! / FANOUT_TARGET) * 100).toFixed(0)}%); ` +
        `RSS ${fmtBytes(x.rssMid)} halfway → ${fmtBytes(x.rssAfter)} at the end${flat ? "" : " (grew)"}`,
    });
  }
  const restartName = `after a graceful restart, all ${STREAMS_ACTIVE} active streams ack within ${RESTART_ACK_MS} ms`;
  if (!restart) out.push({ name: restartName, pass: null, detail: "not measured" });
  else {
    const x = restart.extra as { firstAckMaxMs: number; firstAckP50Ms: number; readyMs: number };
    out.push({
      name: restartName,
      pass: x.firstAckMaxMs <= RESTART_ACK_MS,
      detail: `first acks after ready: p50 ${x.firstAckP50Ms} ms, last ${x.firstAckMaxMs} ms; ready ${x.readyMs} ms after SIGTERM`,
    });
  }
  const catchUp = byId("ws.catchup");
  const catchUpName = `catch-up (issue 15): one subscriber ${CATCHUP_BACKLOG.toLocaleString("en")} behind ≥ ${fmtRate(CATCHUP_TARGET)} msgs/s`;
  out.push(
    catchUp
      ? {
          name: catchUpName,
          pass: catchUp.msgsPerSec! >= CATCHUP_TARGET,
          detail: `${fmtRate(catchUp.msgsPerSec)} msgs/s (first of two runs)`,
        }
      : { name: catchUpName, pass: null, detail: "not measured" },
  );
  const noisy = rows.find((r) => r.id === "ws.noisy" && r.extra?.aloneP99Ms !== undefined);
  const noisyName = `noisy tenant (issue 15): another tenant's p99 at 1,000/s rises ≤ ${Math.round((NOISY_P99_SLACK - 1) * 100)}%`;
  if (!noisy) out.push({ name: noisyName, pass: null, detail: "not measured" });
  else {
    const x = noisy.extra as { aloneP99Ms: number; besideP99Ms: number };
    out.push({
      name: noisyName,
      pass: x.besideP99Ms <= x.aloneP99Ms * NOISY_P99_SLACK,
      detail: `p99 ${fmtMs(x.aloneP99Ms)} ms alone → ${fmtMs(x.besideP99Ms)} ms beside it (${((x.besideP99Ms / x.aloneP99Ms - 1) * 100).toFixed(0)}%)`,
    });
  }
  return out;
}

/** Issue 15: a noisy tenant may raise another tenant's p99 append latency by at most 20%. */
const NOISY_P99_SLACK = 1.2;
const STREAMS_ACTIVE = "1,000";
const RESTART_ACK_MS = 1000;

export function fanoutRow(label: string, f: FanoutResult, cpu: string): ResultRow {
  return {
    id: "ws.fanout",
    label,
    size: 200,
    msgsPerSec: Math.round(f.deliveriesPerSec),
    mbPerSec: Math.round((f.deliveriesPerSec * 200) / 1e4) / 100,
    note: `${rssNote(f.rssBefore, f.rssSubscribed, f.rssMid, f.rssAfter)}; appends ${Math.round(f.appends.msgsPerSec)}/s; ${cpu}`,
    extra: {
      subscribers: f.subscribers,
      appendsPerSec: f.appends.msgsPerSec,
      rssBefore: f.rssBefore,
      rssSubscribed: f.rssSubscribed,
      rssMid: f.rssMid,
      rssAfter: f.rssAfter,
    },
  };
}
