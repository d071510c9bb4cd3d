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
import {
  DEFAULT_SYNC_LIMITS,
  DocReplicas,
  DocsService,
  encodeServerMessage,
  Forbidden,
  namesAllowed,
  PeerSession,
  type PeerAccess,
  type Principal,
  type Scope,
  type SyncContext,
  type SyncLimits,
  TenantQuotaGuard,
} from "@strata/core";
import { WebSocket, WebSocketServer } from "ws";
import { RUNTIME, type Runtime } from "../../config/runtime.js";
import { AccessWatch } from "../../tenants/access-watch.js";
import { CredentialResolver, type ResolvedCredential } from "../../tenants/credentials.js";
import { acceptAuthenticated, type UpgradeGate } from "../../ws/authenticated-upgrade.js";
import { UpgradeRouter } from "../../ws/upgrade-router.js";
import { STRATA_STORAGE_ID } from "./strata-storage-id.js";

export const DOCS_SYNC_PATH = "/v1/docs/sync";
export const DOCS_SYNC_LIMITS = Symbol("DocsSyncLimits");

export interface DocsSyncLimits extends SyncLimits {
  /** Largest frame a peer may send (a first upload carries the whole document); larger closes with 1009. */
  readonly maxFrameBytes: number;
  readonly pingIntervalMs: number;
  readonly closeGraceMs: number;
}

export const DEFAULT_DOCS_SYNC_LIMITS: DocsSyncLimits = {
  ...DEFAULT_SYNC_LIMITS,
  maxFrameBytes: 64 * 1024 * 1024,
  pingIntervalMs: 30_000,
  closeGraceMs: 1000,
};

interface Connection {
  readonly ws: WebSocket;
  readonly session: PeerSession;
  alive: boolean;
}

export interface DocsSyncStats {
  readonly connections: number;
  readonly documentsOpen: number;
  readonly replicas: number;
}

/**
 * `GET /v1/docs/sync`: the automerge-repo network protocol over WebSocket,
 * so a stock `Repo` with `WebSocketClientAdapter` syncs with Strata. This
 * class owns the transport (auth on upgrade, heartbeats, shutdown); the
 * protocol lives in core (PeerSession, DocChannel, DocReplicas).
 */
@Injectable()
export class DocsSyncServer
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger("docs-sync");
  // A getter: field initializers run before the constructor's parameter properties are set.
  private get gate(): UpgradeGate {
    return {
      credentials: this.credentials,
      logger: this.logger,
      closing: () => this.closing,
      quotas: this.quotas,
      admit: (principal) => {
        if (!principal.scopes.includes("docs:read"))
          throw new Forbidden("The API key lacks the 'docs:read' scope needed to sync documents.");
      },
    };
  }
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly byPeer = new Map<string, Connection>();
  readonly replicas: DocReplicas;
  private readonly ctx: SyncContext;
  private heartbeat: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(
    private readonly router: UpgradeRouter,
    private readonly credentials: CredentialResolver,
    docs: DocsService,
    @Inject(RUNTIME) runtime: Runtime,
    @Inject(STRATA_STORAGE_ID) storageId: string,
    @Inject(DOCS_SYNC_LIMITS) private readonly limits: DocsSyncLimits,
    private readonly quotas: TenantQuotaGuard,
    private readonly access: AccessWatch,
  ) {
    const nodeId = runtime.node.identity.id;
    const log = {
      warn: (details: Record<string, unknown>, message: string) =>
        this.logger.warn(details, message),
    };
    this.replicas = new DocReplicas(docs, nodeId, (err, ref) =>
      log.warn({ err, documentId: ref.documentId }, "document replica error; reloading"),
    );
    this.ctx = {
      docs,
      replicas: this.replicas,
      server: { peerId: `strata-${nodeId}`, storageId },
      limits,
      log,
    };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: limits.maxFrameBytes,
      // Sync messages are compressed Automerge data already.
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  get storageId(): string {
    return this.ctx.server.storageId;
  }

  onModuleInit(): void {
    this.router.route(DOCS_SYNC_PATH, (req, socket, head) => void this.upgrade(req, socket, head));
  }

  onApplicationBootstrap(): void {
    this.heartbeat = setInterval(() => this.beat(), this.limits.pingIntervalMs).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const open = [...this.connections];
    const closed = open.map((c) => new Promise<void>((r) => c.ws.once("close", () => r())));
    for (const c of open) c.ws.close(1001, "server shutting down");
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((r) => (grace = setTimeout(r, this.limits.closeGraceMs))),
    ]);
    clearTimeout(grace);
    for (const c of open) if (c.ws.readyState !== WebSocket.CLOSED) c.ws.terminate();
    // Last sync states reach storage before the pool closes.
    await Promise.all(open.map((c) => c.session.end()));
  }

  stats(): DocsSyncStats {
    let documentsOpen = 0;
    for (const c of this.connections) documentsOpen += c.session.documents;
    return { connections: this.connections.size, documentsOpen, replicas: this.replicas.loaded };
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    return acceptAuthenticated(this.wss, this.gate, { req, socket, head }, (ws, credential) =>
      this.accept(ws, credential),
    );
  }

  private accept(ws: WebSocket, credential: ResolvedCredential): void {
    const session = new PeerSession(
      this.ctx,
      accessOf(credential.principal),
      {
        send: (m) => ws.send(encodeServerMessage(m)),
        get bufferedBytes() {
          return ws.bufferedAmount;
        },
        pauseReading: () => ws.pause(),
        resumeReading: () => ws.resume(),
        close: (code, reason) => ws.close(code, reason),
      },
      (peerId) => {
        // As the stock server does: a peer's newer connection replaces its older one.
        const older = this.byPeer.get(peerId);
        if (older && older !== connection) older.ws.close(1000, "replaced by a newer connection");
        this.byPeer.set(peerId, connection);
      },
    );
    const connection: Connection = { ws, session, alive: true };
    this.connections.add(connection);
    ws.on("message", (data: Buffer) => session.receive(data));
    ws.on("pong", () => (connection.alive = true));
    ws.on("error", (err) => this.logger.debug?.({ err }, "docs sync socket error"));
    // A revoked key, a suspended tenant or an expired token: `error`, close 1008.
    const release = this.access.hold(credential, (err) => session.fail(err));
    ws.once("close", () => {
      release();
      this.connections.delete(connection);
      if (this.byPeer.get(session.peerId) === connection) this.byPeer.delete(session.peerId);
      void session.end();
    });
  }

  /** Pings every connection; one that did not answer the previous ping is dead and is cut. */
  private beat(): void {
    for (const c of this.connections) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}

/** What a key may do with documents: scopes, and name patterns applied to document ids. */
function accessOf(p: Principal): PeerAccess {
  const can = (scope: Scope, id: string) =>
    p.scopes.includes(scope) && namesAllowed(p.patterns, id);
  return {
    tenantId: p.tenant.id,
    canRead: (id) => can("docs:read", id),
    canWrite: (id) => can("docs:write", id),
  };
}
