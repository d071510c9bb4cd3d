import { type ResultRow } from "../lib/types.js";
import { sleep } from "../lib/load.js";
import { payload } from "./setup.js";
import { openSockets, type WsTarget } from "./ws.js";

export const CATCHUP_BACKLOG = 60_000;
/** Issue 15: one subscriber catches up on its backlog at ≥ 50K msgs/s. */
export const CATCHUP_TARGET = 50_000;

export interface CatchUpResult {
  readonly backlog: number;
  readonly msgsPerSec: number;
  /** From `subscribe` to the first delivery. */
  readonly firstMs: number;
  readonly totalMs: number;
  readonly rssBefore: number;
  readonly rssPeak: number;
  readonly slowConsumer: number;
}

/**
 * Writes `backlog` messages to one stream, then one subscriber reads it all
 * from seq 1: the time from `subscribe` to the last message is the catch-up
 * rate. Server RSS is sampled while it reads (a catch-up must not load the
 * backlog into memory).
 */
export async function wsCatchUp(
  c: WsTarget & { stream: string; size: number; backlog?: number; rss: () => number },
): Promise<CatchUpResult> {
  const backlog = c.backlog ?? CATCHUP_BACKLOG;
  const [writer] = await openSockets(c, 1);
  const value = payload(c.size);
  try {
    await new Promise<void>((resolve, reject) => {
      let sent = 0;
      let acked = 0;
      const more = () => {
        while (sent < backlog && sent - acked < 2000) {
          sent++;
          writer!.append(c.stream, value, (err) => {
            if (err) return reject(err);
            if (++acked === backlog) resolve();
            else more();
          });
        }
      };
      more();
    });
  } finally {
    writer!.close();
  }
  await sleep(500);
  const rssBefore = c.rss();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, c.rss())), 100);
  const [reader] = await openSockets(c, 1);
  try {
    let received = 0;
    let firstAt = 0;
    const started = performance.now();
    let stall: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve, reject) => {
      stall = setTimeout(
        () => reject(new Error(`catch-up stalled at ${received} of ${backlog} messages`)),
        120_000,
      );
      reader!
        .subscribe(c.stream, 1, (n) => {
          if (received === 0) firstAt = performance.now();
          received += n;
          if (received >= backlog) resolve();
        })
        .catch(reject);
    }).finally(() => clearTimeout(stall));
    const totalMs = performance.now() - started;
    return {
      backlog,
      msgsPerSec: backlog / (totalMs / 1000),
      firstMs: firstAt - started,
      totalMs,
      rssBefore,
      rssPeak,
      slowConsumer: reader!.slowConsumer,
    };
  } finally {
    clearInterval(sampler);
    reader!.close();
  }
}

/** Two catch-ups, on streams of their own: the first reads with a cold read path. */
export async function wsCatchUps(
  c: WsTarget & {
    create: (stream: string) => Promise<unknown>;
    settle: () => Promise<void>;
    rss: () => number;
  },
): Promise<CatchUpResult[]> {
  const runs: CatchUpResult[] = [];
  for (const stream of ["catchup.1", "catchup.2"]) {
    await c.create(stream);
    await c.settle();
    runs.push(await wsCatchUp({ ...c, stream, size: 200 }));
  }
  return runs;
}

const MiB = 1024 * 1024;

/** The row of the first catch-up (the slower, cold one); the others go in the note. */
export function catchUpRow(
  id: string,
  label: string,
  size: number,
  runs: readonly CatchUpResult[],
): ResultRow {
  const r = runs[0]!;
  const again = runs.slice(1).map((x) => `${Math.round(x.msgsPerSec / 100) / 10}K`);
  return {
    id,
    label,
    size,
    msgsPerSec: Math.round(r.msgsPerSec),
    mbPerSec: Math.round((r.msgsPerSec * size) / 1e4) / 100,
    note:
      `${r.backlog} behind: all in ${Math.round(r.totalMs)} ms (first after ${Math.round(r.firstMs)} ms)` +
      (again.length ? `, again ${again.join(", ")} msgs/s` : "") +
      `; server RSS ${Math.round(r.rssBefore / MiB)} → peak ${Math.round(Math.max(...runs.map((x) => x.rssPeak)) / MiB)} MiB; ` +
      `${runs.reduce((n, x) => n + x.slowConsumer, 0)} slow_consumer`,
    extra: { ...r, againMsgsPerSec: runs[1]?.msgsPerSec ?? null },
  };
}
