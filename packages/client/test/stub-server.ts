import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import { type AddressInfo } from "node:net";

/** A request as the stub server saw it. */
export interface SeenRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface StubReply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is; anything else as JSON. Omit for an empty body. */
  readonly body?: unknown;
  /** Never answer (to exercise timeouts); the socket is closed with the server. */
  readonly hang?: boolean;
}

export interface StubServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** What the next requests get; 200 `{}` until set. */
  reply(handler: StubReply | ((req: SeenRequest) => StubReply)): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records requests and answers as told. */
export async function startStubServer(): Promise<StubServer> {
  const requests: SeenRequest[] = [];
  let handler: (req: SeenRequest) => StubReply = () => ({ body: {} });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen: SeenRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(seen);
      send(res, handler(seen));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply(next) {
      handler = typeof next === "function" ? next : () => next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, reply: StubReply): void {
  if (reply.hang) return;
  const json = reply.body !== undefined && typeof reply.body !== "string";
  const headers: Record<string, string> = json ? { "content-type": "application/json" } : {};
  Object.assign(headers, reply.headers);
  res.writeHead(reply.status ?? 200, headers);
  if (reply.body === undefined) res.end();
  else res.end(json ? JSON.stringify(reply.body) : (reply.body as string));
}
