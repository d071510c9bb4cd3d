import { loadavg } from "node:os";
import { fmtBytes, fmtMs, fmtRate } from "../lib/format.js";
import { type LoadResult } from "../lib/load.js";
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

export function rssNote(before: number, subscribed: number, after: number): string {
  const mib = (n: number) => (Number.isFinite(n) ? fmtBytes(Math.round(n)) : "?");
  return `server RSS ${mib(before)} → ${mib(subscribed)} subscribed → ${mib(after)} after`;
}

const WS_RATE_TARGET = 60_000;
const WS_RATIO_TARGET = 0.5;
const P99_TARGET_MS = 10;
const FANOUT_TARGET = 1_000_000;

/** The PASS/MISS lines, from the rows of this run. */
export function streamTargets(rows: readonly ResultRow[], ceilings: Ceilings): TargetCheck[] {
  const byId = (id: string) => rows.find((r) => r.id === id && r.msgsPerSec !== undefined);
  const out: TargetCheck[] = [];
  const ws = byId("ws.append.200");
  const ceiling = ceilings.get(200);
  if (!ws) {
    out.push({
      name: "WS durable 200 B ≥ 60K msgs/s and ≥ 0.50× raw",
      pass: null,
      detail: "not measured",
    });
  } else {
    const rate = ws.msgsPerSec!;
    const ratio = ceiling ? rate / ceiling : undefined;
    const pass = rate >= WS_RATE_TARGET && (ratio === undefined || ratio >= WS_RATIO_TARGET);
    const short = [
      rate < WS_RATE_TARGET ? `${fmtRate(WS_RATE_TARGET - rate)} msgs/s short` : "",
      ratio !== undefined && ratio < WS_RATIO_TARGET
        ? `${ratio.toFixed(2)}× < ${WS_RATIO_TARGET.toFixed(2)}× (needs ${fmtRate(ceiling! * WS_RATIO_TARGET)} msgs/s)`
        : "",
    ].filter(Boolean);
    out.push({
      name: "WS durable 200 B ≥ 60K msgs/s and ≥ 0.50× raw",
      pass,
      detail:
        `${fmtRate(rate)} msgs/s, ${ratio !== undefined ? `${ratio.toFixed(2)}×` : "no ceiling"} of raw ${fmtRate(ceiling)}` +
        (short.length ? ` — ${short.join(", ")}` : ""),
    });
  }
  const lat = byId("ws.latency.5000");
  out.push(
    lat
      ? {
          name: "p99 durable append latency < 10 ms at 5,000 msgs/s (WS)",
          pass: lat.p99Ms! < P99_TARGET_MS,
          detail:
            `p50 ${fmtMs(lat.p50Ms)} ms, p99 ${fmtMs(lat.p99Ms)} ms` +
            (lat.p99Ms! >= P99_TARGET_MS
              ? ` — ${(lat.p99Ms! / P99_TARGET_MS).toFixed(1)}× over`
              : ""),
        }
      : {
          name: "p99 durable append latency < 10 ms at 5,000 msgs/s (WS)",
          pass: null,
          detail: "not measured",
        },
  );
  const fan = byId("ws.fanout");
  out.push(
    fan
      ? {
          name: "fan-out ≥ 1,000,000 deliveries/s",
          pass: fan.msgsPerSec! >= FANOUT_TARGET,
          detail:
            `${fmtRate(fan.msgsPerSec)} deliveries/s` +
            (fan.msgsPerSec! < FANOUT_TARGET
              ? ` — ${((fan.msgsPerSec! / FANOUT_TARGET) * 100).toFixed(0)}% of target`
              : ""),
        }
      : { name: "fan-out ≥ 1,000,000 deliveries/s", pass: null, detail: "not measured" },
  );
  return out;
}
