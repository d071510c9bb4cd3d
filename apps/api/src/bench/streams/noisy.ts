import { HttpClient } from "../lib/http.js";
import { type LoadResult, type LoadWindow } from "../lib/load.js";
import { type StrataServer } from "../lib/server.js";
import { type ResultRow } from "../lib/types.js";
import { createStreams } from "./rest.js";
import { payload } from "./setup.js";
import { wsAppendsAtRate, openSockets } from "./ws.js";

const VICTIM_RATE = 1000;
const NOISY_QUOTA = 2000;
const NOISY_IN_FLIGHT = 2000;

export interface NoisyResult {
  readonly alone: LoadResult;
  readonly beside: LoadResult;
  /** The noisy tenant's appends per second: accepted (within its quota) and refused. */
  readonly noisyAccepted: number;
  readonly noisyRefused: number;
}

/**
 * Tenant A appends at a steady 1,000 msgs/s (latency per append), first
 * alone, then while tenant B, whose quota is 2,000 msgs/s, appends as fast
 * as the server answers (2,000 in flight, refusals included) to its own
 * streams on the same node.
 */
export async function wsNoisyNeighbour(
  c: LoadWindow & { server: StrataServer; wsUrl: string },
): Promise<NoisyResult> {
  const setup = async (name: string) => {
    const { tenantId, secret } = await c.server.tenantKey(name, ["streams:read", "streams:write"]);
    const http = new HttpClient(c.server.baseUrl, { authorization: `Bearer ${secret}` }, 8);
    const names = Array.from({ length: 100 }, (_, i) => `${name}.s${i}`);
    await createStreams(http, names);
    http.close();
    return { tenantId, secret, names };
  };
  const victim = await setup("victim");
  const noisy = await setup("noisy");
  await c.server.setQuotas(noisy.tenantId, { messages_per_second: NOISY_QUOTA });

  const victimCase = {
    ...c,
    key: victim.secret,
    names: victim.names,
    size: 200,
    rate: VICTIM_RATE,
  };
  const alone = await wsAppendsAtRate(victimCase);

  const sockets = await openSockets({ wsUrl: c.wsUrl, key: noisy.secret }, 2);
  const value = payload(200);
  let stop = false;
  let accepted = 0;
  let refused = 0;
  let turn = 0;
  let outstanding = 0;
  let refill = false;
  const flood = () => {
    refill = false;
    while (!stop && outstanding < NOISY_IN_FLIGHT) {
      const i = turn++;
      outstanding++;
      sockets[i % sockets.length]!.append(noisy.names[i % noisy.names.length]!, value, (err) => {
        outstanding--;
        if (err) refused++;
        else accepted++;
        // Refusals come back at once: refill half a window at a time, letting the event loop breathe.
        if (!refill && outstanding < NOISY_IN_FLIGHT / 2) {
          refill = true;
          setImmediate(flood);
        }
      });
    }
  };
  const started = performance.now();
  flood();
  try {
    const beside = await wsAppendsAtRate(victimCase);
    const seconds = (performance.now() - started) / 1000;
    return { alone, beside, noisyAccepted: accepted / seconds, noisyRefused: refused / seconds };
  } finally {
    stop = true;
    for (const s of sockets) s.close();
  }
}

export function noisyRow(id: string, label: string, r: NoisyResult): ResultRow {
  const p99 = (x: LoadResult) => x.latency.p99Ms;
  return {
    id,
    label,
    size: 200,
    msgsPerSec: Math.round(r.beside.msgsPerSec),
    p50Ms: r.beside.latency.p50Ms,
    p99Ms: p99(r.beside),
    p999Ms: r.beside.latency.p999Ms,
    note:
      `alone p50 ${r.alone.latency.p50Ms.toFixed(2)} ms, p99 ${p99(r.alone).toFixed(2)} ms; ` +
      `noisy tenant (quota ${NOISY_QUOTA}/s): ${Math.round(r.noisyAccepted)}/s accepted, ${Math.round(r.noisyRefused)}/s refused`,
    extra: {
      aloneP99Ms: p99(r.alone),
      besideP99Ms: p99(r.beside),
      noisyAccepted: r.noisyAccepted,
      noisyRefused: r.noisyRefused,
    },
  };
}
