import { Inject, Injectable } from "@nestjs/common";
import {
  type AccessTokenPayload,
  accessTokenExpiresAt,
  type Clock,
  decodeAccessToken,
  isAccessToken,
  KeyAuthenticator,
  type KeyCredentials,
  type Principal,
  Unauthenticated,
} from "@strata/core";
import { TenantRepositoryPg } from "@strata/db";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { CLOCK } from "../database/database.module.js";
import { HmacTokenSigner } from "./token-signer.js";

/** How the caller proved who it is. */
export interface ResolvedCredential {
  readonly principal: Principal;
  readonly kind: "key" | "token";
  /** When a token stops working (null for keys: they are checked on every request). */
  readonly expiresAt: Date | null;
}

const CACHE_SIZE = 10_000;

/** The credential of an `Authorization: Bearer <credential>` header value, if any. */
export function bearerFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/**
 * Turns a bearer credential (an API key `sk_…` or a short-lived token
 * `st_…`) into a Principal. Used by the HTTP guard and the WebSocket upgrade,
 * so both accept the same credentials with the same answers.
 */
@Injectable()
export class CredentialResolver {
  private readonly cache = new Map<string, { creds: KeyCredentials | null; at: number }>();

  constructor(
    private readonly keys: KeyAuthenticator,
    private readonly tenants: TenantRepositoryPg,
    readonly signer: HmacTokenSigner,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  async resolvePrincipal(credential: string | undefined): Promise<Principal> {
    return (await this.resolve(credential)).principal;
  }

  async resolve(credential: string | undefined): Promise<ResolvedCredential> {
    if (credential === undefined || !isAccessToken(credential)) {
      return { principal: await this.keys.authenticate(credential), kind: "key", expiresAt: null };
    }
    const payload = decodeAccessToken(credential, this.signer, this.clock.now());
    return {
      principal: await this.checkKey(payload),
      kind: "token",
      expiresAt: accessTokenExpiresAt(payload),
    };
  }

  /** Forget cached key rows now (after an admin change on this node), like KeyAuthenticator.invalidate(). */
  invalidate(): void {
    this.cache.clear();
  }

  /** The token's key must still be valid: revoking it, or suspending its tenant, ends its tokens. */
  private async checkKey(payload: AccessTokenPayload): Promise<Principal> {
    const creds = await this.lookup(payload.kp);
    if (!creds || creds.key.id !== payload.kid || creds.tenant.id !== payload.tid) {
      throw new Unauthenticated("The access token is not valid.");
    }
    const { key, tenant } = creds;
    if (key.revokedAt) throw new Unauthenticated("The token's API key has been revoked.");
    if (key.expiresAt && key.expiresAt <= this.clock.now()) {
      throw new Unauthenticated("The token's API key has expired.");
    }
    if (tenant.status !== "active") throw new Unauthenticated("The tenant is suspended.");
    return {
      tenant: { id: tenant.id, name: tenant.name },
      keyId: key.id,
      // Never more than the key holds now.
      scopes: payload.scopes.filter((s) => key.scopes.includes(s)),
      patterns: payload.patterns,
    };
  }

  /** Same freshness bound as KeyAuthenticator's cache, so a revocation bites as fast. */
  private async lookup(prefix: string): Promise<KeyCredentials | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(prefix);
    if (hit && now - hit.at < this.runtime.config.keyCacheMs) return hit.creds;
    const creds = await this.tenants.findKeyByPrefix(prefix);
    this.cache.delete(prefix);
    this.cache.set(prefix, { creds, at: now });
    if (this.cache.size > CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return creds;
  }
}
