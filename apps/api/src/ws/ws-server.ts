import { type IncomingMessage } from "node:http";
import { type Duplex } from "node:stream";
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from "@nestjs/common";
import { KvService, StreamsService, TenantQuotaGuard, WS_SUBPROTOCOLS } from "@strata/core";
import { WebSocket, WebSocketServer } from "ws";
import { AccessWatch } from "../tenants/access-watch.js";
import { CredentialResolver, type ResolvedCredential } from "../tenants/credentials.js";
import { acceptAuthenticated, type UpgradeGate } from "./authenticated-upgrade.js";
import { UpgradeRouter } from "./upgrade-router.js";
import { JsonCodec, MsgpackCodec } from "./ws-codec.js";
import { WsConnection } from "./ws-connection.js";
import { FlowControl } from "./ws-flow.js";
import { WS_LIMITS, type WsLimits } from "./ws-limits.js";

export const STREAMS_WS_PATH = "/v1/ws";

/** Counters for tests, metrics and the admin. */
export interface WsStats {
  readonly connections: number;
  readonly subscriptions: number;
  readonly pausedSubscriptions: number;
  readonly bufferedBytes: number;
}

/**
 * The streams WebSocket endpoint: authenticates upgrades on `/v1/ws`
 * (before the handshake, so a bad credential is a plain 401), picks the
 * encoding from the subprotocol, and owns the node-wide parts: heartbeats,
 * send-side flow control and closing everything at shutdown.
 */
@Injectable()
export class WsServer implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger("ws");
  // A getter: field initializers run before the constructor's parameter properties are set.
  private get gate(): UpgradeGate {
    return {
      credentials: this.credentials,
      logger: this.logger,
      closing: () => this.closing,
      quotas: this.quotas,
    };
  }
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<WsConnection>();
  private readonly json: JsonCodec;
  private readonly msgpack: MsgpackCodec;
  readonly flow: FlowControl;
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly router: UpgradeRouter,
    private readonly credentials: CredentialResolver,
    private readonly streams: StreamsService,
    private readonly kv: KvService,
    @Inject(WS_LIMITS) private readonly limits: WsLimits,
    private readonly quotas: TenantQuotaGuard,
    private readonly access: AccessWatch,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.maxFrameBytes,
      // Values are usually compressed or binary already; deflate would cost CPU and memory per socket.
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (offered) =>
        offered.has(WS_SUBPROTOCOLS.msgpack)
          ? WS_SUBPROTOCOLS.msgpack
          : offered.has(WS_SUBPROTOCOLS.json)
            ? WS_SUBPROTOCOLS.json
            : false,
    });
    // Tells clients how large their frames may be (and so how to size append_chunk values).
    this.wss.on("headers", (headers) =>
      headers.push(`Strata-Max-Frame-Bytes: ${limits.maxFrameBytes}`),
    );
    this.json = new JsonCodec(limits.maxFrameBytes);
    this.msgpack = new MsgpackCodec(limits.maxFrameBytes);
    this.flow = new FlowControl(limits, () => this.connections);
  }

  onModuleInit(): void {
    this.router.route(STREAMS_WS_PATH, (req, socket, head) => void this.upgrade(req, socket, head));
  }

  onApplicationBootstrap(): void {
    this.flow.start();
    this.heartbeat = setInterval(() => this.beat(), this.limits.pingIntervalMs).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    this.flow.stop();
    const open = [...this.connections].map((c) => c.socket);
    const closed = open.map(
      (ws) => new Promise<void>((resolve) => ws.once("close", () => resolve())),
    );
    for (const ws of open) ws.close(1001, "server shutting down");
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => (grace = setTimeout(resolve, this.limits.closeGraceMs))),
    ]);
    clearTimeout(grace);
    for (const ws of open) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }

  stats(): WsStats {
    let subscriptions = 0;
    let pausedSubscriptions = 0;
    for (const c of this.connections) {
      subscriptions += c.subscriptionCount;
      pausedSubscriptions += c.pausedSubscriptions;
    }
    return {
      connections: this.connections.size,
      subscriptions,
      pausedSubscriptions,
      bufferedBytes: this.flow.bufferedBytes,
    };
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    return acceptAuthenticated(this.wss, this.gate, { req, socket, head }, (ws, credential) =>
      this.accept(ws, credential),
    );
  }

  private accept(ws: WebSocket, credential: ResolvedCredential): void {
    const codec = ws.protocol === WS_SUBPROTOCOLS.msgpack ? this.msgpack : this.json;
    const context = {
      streams: this.streams,
      kv: this.kv,
      limits: this.limits,
      flow: this.flow,
      logger: this.logger,
      quotas: this.quotas,
    };
    const connection = new WsConnection(ws, credential.principal, codec, context);
    this.connections.add(connection);
    // A revoked key, a suspended tenant or an expired token ends the connection (docs/protocol.md).
    const release = this.access.hold(credential, (err) => connection.revoke(err));
    ws.once("close", () => {
      release();
      this.connections.delete(connection);
    });
  }

  /** Pings every connection; one that did not answer the previous ping is dead and is cut. */
  private beat(): void {
    for (const c of this.connections) {
      if (!c.alive && !c.heartbeatExempt) {
        c.socket.terminate();
        continue;
      }
      c.alive = false;
      c.socket.ping();
    }
  }
}
