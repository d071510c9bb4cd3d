import { z } from "zod";
import { Forbidden, Unauthenticated } from "../errors.js";
import { type Principal } from "./api-key.js";
import { SCOPES } from "./scopes.js";

/**
 * Short-lived access tokens (`POST /v1/tokens`) for clients that cannot set
 * an Authorization header (browsers' WebSocket and EventSource, the stock
 * automerge-repo adapter): they go in `?token=`, where a leaked URL should
 * not leak a long-lived key. A token is self-contained and signed, so any
 * node of a cluster verifies it without shared state; it still names its key
 * (`kp`, the key's public prefix) so that revoking the key, or suspending the
 * tenant, ends its tokens too.
 *
 * Format: `st_<base64url(JSON payload)>.<base64url(signature)>`.
 */
export const ACCESS_TOKEN_PREFIX = "st_";
export const ACCESS_TOKEN_DEFAULT_TTL_SECONDS = 300;
export const ACCESS_TOKEN_MAX_TTL_SECONDS = 3600;

export const accessTokenPayloadSchema = z.strictObject({
  v: z.literal(1),
  /** Tenant id. */
  tid: z.string().min(1).max(64),
  /** Key id. */
  kid: z.string().min(1).max(64),
  /** The key's public prefix: finds the key row through its index. */
  kp: z.string().regex(/^[a-z0-9]{12}$/),
  scopes: z.array(z.enum(SCOPES)).min(1),
  patterns: z.array(z.string().max(255)).max(50),
  /** Expiry, Unix seconds. */
  exp: z.number().int().positive(),
});
export type AccessTokenPayload = z.infer<typeof accessTokenPayloadSchema>;

/** Signs token bodies; the secret and the MAC live outside the core. */
export interface AccessTokenSigner {
  sign(data: string): string;
  /** Constant-time check of `signature` over `data`. */
  verify(data: string, signature: string): boolean;
}

/** `POST /v1/tokens`. Omitted scopes mean all of the key's scopes. */
export const tokenRequestBody = z.strictObject({
  ttl_seconds: z
    .number()
    .int()
    .min(1, { message: "must be at least 1" })
    .max(ACCESS_TOKEN_MAX_TTL_SECONDS, {
      message: `must be at most ${ACCESS_TOKEN_MAX_TTL_SECONDS}`,
    })
    .optional(),
  scopes: z.array(z.enum(SCOPES)).min(1, { message: "give at least one scope" }).optional(),
});
export type TokenRequestBody = z.infer<typeof tokenRequestBody>;

export function isAccessToken(credential: string): boolean {
  return credential.startsWith(ACCESS_TOKEN_PREFIX);
}

/** The payload of a token for `principal` (authenticated by the key with `keyPrefix`). */
export function accessTokenPayload(
  principal: Principal,
  keyPrefix: string,
  request: TokenRequestBody,
  now: Date,
): AccessTokenPayload {
  const scopes = request.scopes ? [...new Set(request.scopes)] : [...principal.scopes];
  const missing = scopes.filter((s) => !principal.scopes.includes(s));
  if (missing.length > 0) {
    throw new Forbidden(
      `The API key lacks the scope(s) ${missing.join(", ")}: a token cannot widen its key.`,
    );
  }
  const ttl = request.ttl_seconds ?? ACCESS_TOKEN_DEFAULT_TTL_SECONDS;
  return {
    v: 1,
    tid: principal.tenant.id,
    kid: principal.keyId,
    kp: keyPrefix,
    scopes,
    patterns: [...principal.patterns],
    exp: Math.floor(now.getTime() / 1000) + ttl,
  };
}

export function encodeAccessToken(payload: AccessTokenPayload, signer: AccessTokenSigner): string {
  const body = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return `${ACCESS_TOKEN_PREFIX}${body}.${signer.sign(body)}`;
}

const TOKEN_SHAPE = /^st_([A-Za-z0-9_-]{1,4096})\.([A-Za-z0-9_-]{1,128})$/;

/**
 * Checks the signature, then the shape and expiry of the payload. Only the
 * token is checked here; whether its key is still valid is the caller's job.
 * Every failure is the same 401 to the client, with a reason that helps it.
 */
export function decodeAccessToken(
  token: string,
  signer: AccessTokenSigner,
  now: Date,
): AccessTokenPayload {
  const m = TOKEN_SHAPE.exec(token);
  if (!m || !signer.verify(m[1]!, m[2]!))
    throw new Unauthenticated("The access token is not valid.");
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8"));
  } catch {
    throw new Unauthenticated("The access token is not valid.");
  }
  const parsed = accessTokenPayloadSchema.safeParse(json);
  if (!parsed.success) throw new Unauthenticated("The access token is not valid.");
  if (accessTokenExpired(parsed.data, now))
    throw new Unauthenticated("The access token has expired.");
  return parsed.data;
}

export function accessTokenExpired(payload: AccessTokenPayload, now: Date): boolean {
  return payload.exp * 1000 <= now.getTime();
}

export function accessTokenExpiresAt(payload: AccessTokenPayload): Date {
  return new Date(payload.exp * 1000);
}
