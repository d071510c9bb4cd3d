import { type IncomingMessage } from "node:http";
import { type Duplex } from "node:stream";
import { type Logger } from "@nestjs/common";
import {
  type Principal,
  StrataError,
  type TenantQuotaGuard,
  TooManyRequests,
  Unauthenticated,
  Unavailable,
} from "@strata/core";
import { type WebSocket, type WebSocketServer } from "ws";
import {
  bearerFromHeader,
  type CredentialResolver,
  type ResolvedCredential,
} from "../tenants/credentials.js";
import { rejectUpgrade } from "./upgrade-router.js";

export interface UpgradeGate {
  readonly credentials: CredentialResolver;
  readonly logger: Logger;
  /** True once the server is shutting down: new connections get a 503. */
  readonly closing: () => boolean;
  /** Throws (e.g. Forbidden) when the principal may not use this endpoint. */
  readonly admit?: (principal: Principal) => void;
  /** Counts the connection against its tenant's `connections` quota (429 on the upgrade). */
  readonly quotas?: TenantQuotaGuard;
}

/**
 * Authenticates a WebSocket upgrade before the handshake completes: a bearer
 * header (Node clients) or `?token=` (browsers cannot set headers), answered
 * with a problem response and a `WWW-Authenticate` challenge when refused.
 * Shutdown is checked again after the (asynchronous) key lookup, so no
 * connection is accepted once closing has begun.
 */
export async function acceptAuthenticated(
  wss: WebSocketServer,
  gate: UpgradeGate,
  upgrade: { req: IncomingMessage; socket: Duplex; head: Buffer },
  onOpen: (ws: WebSocket, credential: ResolvedCredential) => void,
): Promise<void> {
  const { req, socket, head } = upgrade;
  const shuttingDown = () => new Unavailable("The server is shutting down.");
  if (gate.closing()) return rejectUpgrade(socket, shuttingDown());
  let credential: ResolvedCredential;
  let release = () => {};
  try {
    const url = new URL(req.url ?? "/", "http://localhost");
    const given =
      bearerFromHeader(req.headers.authorization) ?? (url.searchParams.get("token") || undefined);
    credential = await gate.credentials.resolve(given);
    gate.admit?.(credential.principal);
    if (gate.quotas) release = await gate.quotas.openConnection(credential.principal.tenant.id);
  } catch (err) {
    if (!(err instanceof StrataError))
      gate.logger.error({ err }, "websocket authentication failed");
    const challenge =
      err instanceof Unauthenticated
        ? ['WWW-Authenticate: Bearer realm="strata"']
        : err instanceof TooManyRequests
          ? [`Retry-After: ${err.retryAfterSeconds}`]
          : [];
    return rejectUpgrade(socket, err, challenge);
  }
  if (socket.destroyed || gate.closing()) {
    release();
    return rejectUpgrade(socket, shuttingDown());
  }
  // A handshake that fails never reaches onOpen; the socket's close frees the slot then.
  socket.once("close", release);
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.once("close", release);
    onOpen(ws, credential);
  });
}
