import { type Clock, epochMs } from "../common/clock.js";
import { Forbidden, type StrataError, Unauthenticated } from "../errors.js";
import { type KeyId, type TenantId, type TenantStatus } from "./tenant.js";

/** The credential an open connection (WebSocket, SSE stream) was accepted with. */
export interface HeldCredential {
  readonly keyId: KeyId;
  readonly tenantId: TenantId;
  /** When the credential stops working by itself (a short-lived token), or null. */
  readonly expiresAt: Date | null;
}

/** A key's state now, as `TenantStore.keyAccess` reads it: one row per key that still exists. */
export interface KeyAccess {
  readonly keyId: KeyId;
  readonly tenantId: TenantId;
  readonly revoked: boolean;
  readonly expiresAt: Date | null;
  readonly tenantStatus: TenantStatus;
}

/** The one read ConnectionAccess needs: a subset of TenantStore. */
export interface KeyAccessReader {
  /** The keys among `keyIds` that exist (a deleted tenant's keys are gone with it). */
  keyAccess(keyIds: readonly KeyId[]): Promise<KeyAccess[]>;
}

export interface Denial<T> {
  readonly held: T;
  /** What the connection is told before it is closed. */
  readonly error: StrataError;
}

/**
 * Decides which open connections must end: a credential checked at the
 * handshake only would outlive a revocation, a suspension or its own expiry.
 * One read covers every distinct key held (a sweep over all connections of
 * a node is one query); expired tokens are judged by the clock alone. The
 * answers match what a new request with the same credential would get:
 * `unauthenticated` for a key that is revoked, expired or gone (its tenant
 * deleted), or an expired token; `forbidden` for a suspended tenant, whose
 * key is still valid but may not be used.
 */
export class ConnectionAccess {
  constructor(
    private readonly store: KeyAccessReader,
    private readonly clock: Clock,
  ) {}

  async check<T extends HeldCredential>(held: Iterable<T>): Promise<Denial<T>[]> {
    const now = epochMs(this.clock);
    const denials: Denial<T>[] = [];
    const live: T[] = [];
    for (const h of held) {
      if (h.expiresAt && h.expiresAt.getTime() <= now) {
        denials.push({ held: h, error: new Unauthenticated("The access token has expired.") });
      } else {
        live.push(h);
      }
    }
    const keyIds = [...new Set(live.map((h) => h.keyId))];
    // No connection left to ask about: nothing to read.
    if (keyIds.length === 0) return denials;
    const rows = new Map((await this.store.keyAccess(keyIds)).map((k) => [k.keyId, k]));
    for (const h of live) {
      const error = denialOf(rows.get(h.keyId), h, now);
      if (error) denials.push({ held: h, error });
    }
    return denials;
  }
}

function denialOf(
  key: KeyAccess | undefined,
  held: HeldCredential,
  now: number,
): StrataError | null {
  if (!key || key.tenantId !== held.tenantId) {
    return new Unauthenticated("The API key no longer exists.");
  }
  if (key.revoked) return new Unauthenticated("The API key has been revoked.");
  if (key.expiresAt && key.expiresAt.getTime() <= now) {
    return new Unauthenticated("The API key has expired.");
  }
  if (key.tenantStatus !== "active") return new Forbidden("The tenant is suspended.");
  return null;
}
