import { type IncomingMessage, type Server } from "node:http";
import { type Duplex } from "node:stream";
import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from "@nestjs/common";
import { Inject } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import { NotFound } from "@strata/core";
import { servesApi } from "../cluster/role-gate.js";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { type Problem, toProblem } from "../http/problem.js";
import { OriginCheck } from "./origin-check.js";

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The one `upgrade` listener on the HTTP server. Every WebSocket endpoint
 * registers its path here (`route()`, before bootstrap ends); other paths
 * get a 404. Nest's WsAdapter would instead destroy every upgrade that is not
 * one of its gateways, which rules out a second endpoint on the port. Listeners
 * that were on the server before are kept as the fallback for unknown paths.
 * A node without the `api` role answers every upgrade with a 404. A browser
 * page on an origin that is not allowed gets a 403 before any handshake.
 */
@Injectable()
export class UpgradeRouter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly routes = new Map<string, UpgradeHandler>();
  private fallbacks: UpgradeListener[] = [];
  private server: Server | undefined;
  private readonly origins: OriginCheck;
  private readonly listener: UpgradeListener = (req, socket, head) =>
    this.dispatch(req, socket, head);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {
    this.origins = new OriginCheck(runtime.config);
  }

  route(path: string, handler: UpgradeHandler): void {
    if (this.routes.has(path)) throw new Error(`WebSocket path ${path} is registered twice`);
    this.routes.set(path, handler);
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.fallbacks = server.listeners("upgrade") as UpgradeListener[];
    server.removeAllListeners("upgrade");
    server.on("upgrade", this.listener);
    this.server = server;
  }

  onApplicationShutdown(): void {
    this.server?.off("upgrade", this.listener);
  }

  private dispatch(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A client that resets mid-handshake must not take the process down.
    socket.on("error", () => socket.destroy());
    const path = (req.url ?? "/").split("?", 1)[0]!;
    // A worker-only node serves no WebSocket endpoint (STRATA_ROLE).
    const handler = servesApi(this.runtime.config.roles) ? this.routes.get(path) : null;
    if (handler) {
      try {
        this.origins.assert(req);
      } catch (err) {
        return rejectUpgrade(socket, err);
      }
      return handler(req, socket, head);
    }
    if (handler === null) return rejectUpgrade(socket, new NotFound("WebSocket endpoint", path));
    if (this.fallbacks.length > 0) {
      for (const fallback of this.fallbacks) fallback.call(this.server, req, socket, head);
      return;
    }
    rejectUpgrade(socket, new NotFound("WebSocket endpoint", path));
  }
}

/** Answers an upgrade with a plain HTTP problem response (no handshake) and closes the socket. */
export function rejectUpgrade(socket: Duplex, err: unknown, headers: string[] = []): void {
  if (socket.destroyed) return;
  const problem: Problem = toProblem(err);
  const body = JSON.stringify(problem);
  const reason = problem.title;
  socket.once("finish", () => socket.destroy());
  socket.end(
    [
      `HTTP/1.1 ${problem.status} ${reason}`,
      "Connection: close",
      "Content-Type: application/problem+json",
      "X-Content-Type-Options: nosniff",
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...headers,
      "",
      body,
    ].join("\r\n"),
  );
}
