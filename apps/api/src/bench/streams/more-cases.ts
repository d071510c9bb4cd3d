import { type HttpClient } from "../lib/http.js";
import { type LoadWindow } from "../lib/load.js";
import { type StrataServer } from "../lib/server.js";
import { type ResultRow, type SuiteContext } from "../lib/types.js";
import { catchUpRow, wsCatchUps } from "./catchup.js";
import { noisyRow, wsNoisyNeighbour } from "./noisy.js";

/** The streams suite's cases of one subscriber catching up (`ws.catchup`) and of two tenants (`ws.noisy`). */
export async function subscriberAndTenantCases(
  ctx: SuiteContext,
  c: LoadWindow & {
    server: StrataServer;
    /** The bench tenant's key, and a client with it. */
    key: string;
    http: HttpClient;
    settle: () => Promise<void>;
  },
): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const { server, http } = c;
  if (ctx.selected("ws.catchup")) {
    ctx.log("ws.catchup …");
    const runs = await wsCatchUps({
      wsUrl: server.wsUrl,
      key: c.key,
      create: (stream) => http.json("PUT", `/v1/streams/${stream}`, {}),
      settle: c.settle,
      rss: () => server.rss(),
    });
    rows.push(catchUpRow("ws.catchup", "Strata WS: one subscriber catching up", 200, runs));
  }
  if (ctx.selected("ws.noisy")) {
    ctx.log("ws.noisy …");
    await c.settle();
    const r = await wsNoisyNeighbour({ ...c, wsUrl: server.wsUrl });
    rows.push(noisyRow("ws.noisy", "Strata WS appends at 1000/s beside a noisy tenant", r));
  }
  return rows;
}
