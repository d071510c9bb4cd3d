import { type LoadWindow, sleep } from "../lib/load.js";
import { type StrataServer } from "../lib/server.js";
import { payload } from "./setup.js";
import { type StrataSocket } from "./ws-client.js";
import { openSockets, wsAppends } from "./ws.js";

export interface RestartResult {
  /** From the old node's SIGTERM to the new node answering /health/ready. */
  readonly readyMs: number;
  /** From ready to each stream's first ack: median and the last stream's. */
  readonly firstAckP50Ms: number;
  readonly firstAckMaxMs: number;
  /** From ready to the clients' sockets open. */
  readonly connectedMs: number;
  readonly streams: number;
  /** Appends answered with an error (then retried) after the restart. */
  readonly retried: number;
}

/**
 * A graceful restart under load: WS appends keep every stream active on the
 * old node, which gets SIGTERM; a new node starts on the same database and
 * every stream gets one append as soon as it is ready (retried on an error).
 * What counts is how soon each stream acks again.
 */
export async function wsRestart(
  c: LoadWindow & {
    readonly old: StrataServer;
    readonly start: () => Promise<StrataServer>;
    readonly key: string;
    readonly names: readonly string[];
    readonly size: number;
  },
): Promise<{ result: RestartResult; server: StrataServer }> {
  const target = { wsUrl: c.old.wsUrl, key: c.key };
  await wsAppends({ ...c, ...target, connections: 4, inFlight: 4000 });
  const stopped = Date.now();
  await c.old.stop();
  const server = await c.start();
  const ready = Date.now();
  const sockets = await openSockets({ wsUrl: server.wsUrl, key: c.key }, 4);
  const connectedMs = Date.now() - ready;
  try {
    const value = payload(c.size);
    let retried = 0;
    const acked = await Promise.all(
      c.names.map(
        (name, i) =>
          new Promise<number>((resolve, reject) => {
            const deadline = ready + 60_000;
            const attempt = (socket: StrataSocket) =>
              socket.append(name, value, (err) => {
                if (!err) return resolve(Date.now() - ready);
                retried++;
                if (Date.now() > deadline) return reject(err);
                void sleep(20).then(() => attempt(socket));
              });
            attempt(sockets[i % sockets.length]!);
          }),
      ),
    );
    acked.sort((a, b) => a - b);
    const result: RestartResult = {
      readyMs: ready - stopped,
      firstAckP50Ms: acked[acked.length >> 1]!,
      firstAckMaxMs: acked[acked.length - 1]!,
      connectedMs,
      streams: acked.length,
      retried,
    };
    return { result, server };
  } finally {
    for (const s of sockets) s.close();
  }
}
