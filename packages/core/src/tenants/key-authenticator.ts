import { type Clock, epochMs } from "../common/clock.js";
import { Forbidden, Unauthenticated } from "../errors.js";
import { type Principal, parseApiKey } from "./api-key.js";
import { namesAllowed, type Scope } from "./scopes.js";
import { type KeyCredentials, type KeyMinter, type TenantStore } from "./tenant-store.js";

export interface KeyAuthenticatorOptions {
  /** How long a looked-up key is trusted before it is read again; bounds how late a revocation bites. */
  readonly cacheMs: number;
  /** Most keys kept in the cache; the oldest entry goes first. */
  readonly cacheSize: number;
}

interface CacheEntry {
  readonly credentials: KeyCredentials | null;
  readonly fetchedAt: number;
}

/**
 * Resolves a bearer key to a Principal. One indexed lookup per key per
 * `cacheMs`, then a constant-time hash comparison; revocation, expiry and
 * tenant suspension are checked on every call against the cached row.
 */
export class KeyAuthenticator {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly store: TenantStore,
    private readonly minter: KeyMinter,
    private readonly clock: Clock,
    private readonly options: KeyAuthenticatorOptions,
  ) {}

  async authenticate(token: string | undefined): Promise<Principal> {
    if (!token)
      throw new Unauthenticated("An API key is required: send 'Authorization: Bearer <key>'.");
    const parsed = parseApiKey(token);
    if (!parsed) throw new Unauthenticated("The API key is not valid.");
    const creds = await this.lookup(parsed.prefix);
    if (!creds || !this.minter.verify(parsed.secret, creds.secretHash)) {
      throw new Unauthenticated("The API key is not valid.");
    }
    const { key, tenant } = creds;
    if (key.revokedAt) throw new Unauthenticated("The API key has been revoked.");
    if (key.expiresAt && key.expiresAt <= this.clock.now()) {
      throw new Unauthenticated("The API key has expired.");
    }
    if (tenant.status !== "active") throw new Unauthenticated("The tenant is suspended.");
    return {
      tenant: { id: tenant.id, name: tenant.name },
      keyId: key.id,
      scopes: key.scopes,
      patterns: key.patterns,
    };
  }

  /** Forget cached keys now (after an admin change on this node). */
  invalidate(): void {
    this.cache.clear();
  }

  private async lookup(prefix: string): Promise<KeyCredentials | null> {
    const now = epochMs(this.clock);
    const hit = this.cache.get(prefix);
    if (hit && now - hit.fetchedAt < this.options.cacheMs) return hit.credentials;
    const credentials = await this.store.findKeyByPrefix(prefix);
    this.cache.delete(prefix);
    this.cache.set(prefix, { credentials, fetchedAt: now });
    if (this.cache.size > this.options.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return credentials;
  }
}

/**
 * Checks that `principal` holds `scope` and, when a resource name is given,
 * that the key's name patterns admit it.
 */
export function authorize(principal: Principal, scope: Scope, name?: string): void {
  if (!principal.scopes.includes(scope)) {
    throw new Forbidden(`The API key lacks the '${scope}' scope.`);
  }
  if (name !== undefined && !namesAllowed(principal.patterns, name)) {
    throw new Forbidden(`The API key's name patterns do not admit '${name}'.`);
  }
}
