import { closedLoop, fixedRate, type LoadResult, type LoadWindow, sleep } from "../lib/load.js";
import { payload } from "./setup.js";
import { StrataSocket } from "./ws-client.js";

export interface WsTarget {
  readonly wsUrl: string;
  readonly key: string;
}

export async function openSockets(t: WsTarget, n: number): Promise<StrataSocket[]> {
  return Promise.all(Array.from({ length: n }, () => StrataSocket.connect(t.wsUrl, t.key)));
}

export interface WsAppendCase extends LoadWindow, WsTarget {
  readonly names: readonly string[];
  readonly size: number;
}

function appendOp(sockets: readonly StrataSocket[], names: readonly string[], size: number) {
  const value = payload(size);
  let turn = 0;
  return (done: (err: unknown, msgs?: number, bytes?: number) => void) => {
    const i = turn++;
    sockets[i % sockets.length]!.append(names[i % names.length]!, value, (err) =>
      err ? done(err) : done(null, 1, size),
    );
  };
}

/** Pipelined appends over `connections` sockets, `inFlight` outstanding in total. */
export async function wsAppends(
  c: WsAppendCase & { connections: number; inFlight: number },
): Promise<LoadResult> {
  const sockets = await openSockets(c, c.connections);
  try {
    return await closedLoop({ ...c, op: appendOp(sockets, c.names, c.size) });
  } finally {
    for (const s of sockets) s.close();
  }
}

/** Appends at a fixed rate over one socket; latency per append. */
export async function wsAppendsAtRate(c: WsAppendCase & { rate: number }): Promise<LoadResult> {
  const sockets = await openSockets(c, 1);
  try {
    return await fixedRate({ ...c, maxInFlight: 5000, op: appendOp(sockets, c.names, c.size) });
  } finally {
    for (const s of sockets) s.close();
  }
}

export interface FanoutResult {
  readonly deliveriesPerSec: number;
  readonly appends: LoadResult;
  readonly subscribers: number;
  readonly rssBefore: number;
  readonly rssSubscribed: number;
  /** Halfway through the measured window: from there on a flat RSS stays put. */
  readonly rssMid: number;
  readonly rssAfter: number;
  /** `slow_consumer` frames the subscribers received (subscriptions paused by backpressure). */
  readonly slowConsumer: number;
}

/**
 * `subscribers` sockets each subscribe to one stream; one publisher appends
 * to it as fast as acks allow; deliveries are counted in the measured window.
 */
export async function wsFanout(
  c: LoadWindow &
    WsTarget & {
      stream: string;
      size: number;
      subscribers: number;
      inFlight: number;
      rss: () => number;
    },
): Promise<FanoutResult> {
  const rssBefore = c.rss();
  const subs: StrataSocket[] = [];
  let delivered = 0;
  try {
    for (let i = 0; i < c.subscribers; i += 100) {
      const batch = await openSockets(c, Math.min(100, c.subscribers - i));
      subs.push(...batch);
      await Promise.all(batch.map((s) => s.subscribe(c.stream, 1, (n) => (delivered += n))));
    }
    await sleep(500);
    const rssSubscribed = c.rss();
    const [publisher] = await openSockets(c, 1);
    let d0 = 0;
    let d1 = 0;
    let rssMid = 0;
    const marks = [
      setTimeout(() => (d0 = delivered), c.warmupMs),
      setTimeout(() => (rssMid = c.rss()), c.warmupMs + c.durationMs / 2),
      setTimeout(() => (d1 = delivered), c.warmupMs + c.durationMs),
    ];
    try {
      const appends = await closedLoop({
        ...c,
        op: appendOp([publisher!], [c.stream], c.size),
      });
      if (d1 === 0) d1 = delivered;
      return {
        deliveriesPerSec: (d1 - d0) / (c.durationMs / 1000),
        appends,
        subscribers: subs.length,
        rssBefore,
        rssSubscribed,
        rssMid,
        rssAfter: c.rss(),
        slowConsumer: subs.reduce((n, s) => n + s.slowConsumer, 0),
      };
    } finally {
      for (const t of marks) clearTimeout(t);
      publisher!.close();
    }
  } finally {
    for (const s of subs) s.close();
  }
}
