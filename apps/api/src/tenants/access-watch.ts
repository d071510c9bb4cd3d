import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import {
  type Bus,
  type Clock,
  ConnectionAccess,
  type HeldCredential,
  KeyAuthenticator,
  type KeyId,
  type StrataError,
  type TenantId,
} from "@strata/core";
import { TenantRepositoryPg } from "@strata/db";
import { BUS } from "../bus/bus-token.js";
import { CLOCK } from "../database/database.module.js";
import { CredentialResolver, type ResolvedCredential } from "./credentials.js";

/** Bus topic: a key was revoked, or a tenant suspended or deleted, on some node. */
export const ACCESS_TOPIC = "access";

/**
 * How often every open connection's credential is checked again. Catches
 * what no bus event announces (a token's expiry, a key's `expires_at`) and
 * what the bus lost (it is best effort); with a bus event the check runs at
 * once. docs/protocol.md promises 5 s.
 */
export const ACCESS_SWEEP_MS = 2000;

/** A bus event on ACCESS_TOPIC; informative only: any event re-checks every connection. */
export interface AccessChange {
  readonly tenantId: TenantId;
  readonly keyId?: KeyId;
}

interface OpenConnection extends HeldCredential {
  readonly end: (error: StrataError) => void;
}

/**
 * Ends open connections (WebSocket, SSE) whose credential stopped being
 * valid after the handshake: a revoked or expired key, an expired token, a
 * suspended or deleted tenant. Connections register with `hold` and are
 * re-checked together (ConnectionAccess: one query for all their keys)
 * when an admin change is announced on the bus, and every ACCESS_SWEEP_MS.
 * Checks never overlap: a change announced during one runs another after it,
 * since the running one may have read the database before the change.
 */
@Injectable()
export class AccessWatch implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger("access");
  private readonly open = new Set<OpenConnection>();
  private readonly access: ConnectionAccess;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    tenants: TenantRepositoryPg,
    @Inject(CLOCK) clock: Clock,
    @Inject(BUS) private readonly bus: Bus,
    private readonly keys: KeyAuthenticator,
    private readonly credentials: CredentialResolver,
  ) {
    this.access = new ConnectionAccess(tenants, clock);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Any event (or a resync after the bus lost some): forget cached keys, check everything.
    this.unsubscribe = await this.bus.subscribe(ACCESS_TOPIC, () => {
      this.keys.invalidate();
      this.credentials.invalidate();
      void this.check();
    });
    this.timer = setInterval(() => {
      if (!this.running) void this.check();
    }, ACCESS_SWEEP_MS).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
  }

  get connections(): number {
    return this.open.size;
  }

  /**
   * Registers an open connection; `end` tells the client why and closes it
   * (called at most once). Returns the function to call when it closes.
   */
  hold(credential: ResolvedCredential, end: (error: StrataError) => void): () => void {
    const c: OpenConnection = {
      keyId: credential.principal.keyId,
      tenantId: credential.principal.tenant.id,
      expiresAt: credential.expiresAt,
      end,
    };
    this.open.add(c);
    return () => this.open.delete(c);
  }

  /** After an admin change is committed: this node and, through the bus, every other node re-check. */
  changed(change: AccessChange): void {
    // Here without waiting for the bus (whose local delivery needs the subscription in place).
    this.keys.invalidate();
    this.credentials.invalidate();
    this.bus.publish(ACCESS_TOPIC, change);
  }

  /** Re-checks every open connection now; resolves once a check that began after this call is done. */
  check(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.sweep();
      } while (this.again);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(): Promise<void> {
    try {
      for (const { held, error } of await this.access.check([...this.open])) {
        // Closed meanwhile, or ended by an earlier sweep.
        if (!this.open.delete(held)) continue;
        try {
          held.end(error);
        } catch (err) {
          this.logger.error({ err }, "could not end a connection");
        }
      }
    } catch (err) {
      // The database is unavailable: connections stay until a sweep can read their keys.
      this.logger.warn({ err: (err as Error).message }, "could not re-check open connections");
    }
  }
}
