import { type KeyId, type Tenant, type TenantId } from "./tenant.js";
import { type Scope } from "./scopes.js";

/** A stored key as the admin API shows it: never the secret, never its hash. */
export interface ApiKey {
  readonly id: KeyId;
  readonly tenantId: TenantId;
  readonly name: string;
  /** Public part of the key, shown in lists so people can tell keys apart. */
  readonly prefix: string;
  readonly scopes: readonly Scope[];
  readonly patterns: readonly string[];
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly createdAt: Date;
}

/** Who is calling, once a key has been checked. */
export interface Principal {
  readonly tenant: Pick<Tenant, "id" | "name">;
  readonly keyId: KeyId;
  readonly scopes: readonly Scope[];
  readonly patterns: readonly string[];
}

const KEY_SHAPE = /^sk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/**
 * Key format: `sk_<prefix>_<secret>`; the prefix (12 lowercase base32 chars)
 * finds the row through an index, the secret (32 random bytes, base64url)
 * is compared by hash. High entropy makes a fast hash safe here: no
 * password-hashing cost per request.
 */
export function parseApiKey(token: string): { prefix: string; secret: string } | null {
  const m = KEY_SHAPE.exec(token);
  return m ? { prefix: m[1]!, secret: m[2]! } : null;
}

export function formatApiKey(prefix: string, secret: string): string {
  return `sk_${prefix}_${secret}`;
}
