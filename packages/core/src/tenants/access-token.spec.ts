import { describe, expect, it } from "vitest";
import { Forbidden, Unauthenticated } from "../errors.js";
import {
  accessTokenExpired,
  accessTokenPayload,
  type AccessTokenSigner,
  decodeAccessToken,
  encodeAccessToken,
  isAccessToken,
} from "./access-token.js";
import { type Principal } from "./api-key.js";
import { type KeyId, type TenantId } from "./tenant.js";

// A toy MAC: the real one (HMAC-SHA256) lives in the API; these tests are about the format.
const signer: AccessTokenSigner = {
  sign: (data) => Buffer.from(`sig:${data.length}:${data.slice(0, 8)}`).toString("base64url"),
  verify: (data, signature) => signer.sign(data) === signature,
};

const principal: Principal = {
  tenant: { id: "2b4f0c1e-0000-4000-8000-000000000001" as TenantId, name: "acme" },
  keyId: "2b4f0c1e-0000-4000-8000-000000000002" as KeyId,
  scopes: ["streams:read", "streams:write"],
  patterns: ["orders.>"],
};
const now = new Date("2026-01-01T00:00:00Z");

describe("access tokens", () => {
  it("round-trips a payload with the key's scopes, patterns and a default 300 s expiry", () => {
    const payload = accessTokenPayload(principal, "abcdefghijkl", {}, now);
    const token = encodeAccessToken(payload, signer);
    expect(isAccessToken(token)).toBe(true);
    expect(token).toMatch(/^st_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const back = decodeAccessToken(token, signer, now);
    expect(back).toEqual(payload);
    expect(back).toMatchObject({
      tid: principal.tenant.id,
      kid: principal.keyId,
      kp: "abcdefghijkl",
      scopes: ["streams:read", "streams:write"],
      patterns: ["orders.>"],
      exp: now.getTime() / 1000 + 300,
    });
  });

  it("narrows scopes on request and refuses to widen them", () => {
    const narrow = accessTokenPayload(principal, "abcdefghijkl", { scopes: ["streams:read"] }, now);
    expect(narrow.scopes).toEqual(["streams:read"]);
    expect(() =>
      accessTokenPayload(principal, "abcdefghijkl", { scopes: ["kv:read"] }, now),
    ).toThrow(Forbidden);
  });

  it("expires at exp, not a second later", () => {
    const payload = accessTokenPayload(principal, "abcdefghijkl", { ttl_seconds: 10 }, now);
    const token = encodeAccessToken(payload, signer);
    expect(accessTokenExpired(payload, new Date(now.getTime() + 9_999))).toBe(false);
    expect(accessTokenExpired(payload, new Date(now.getTime() + 10_000))).toBe(true);
    expect(() => decodeAccessToken(token, signer, new Date(now.getTime() + 10_000))).toThrow(
      /expired/,
    );
  });

  it("rejects a tampered payload, a forged signature and garbage", () => {
    const token = encodeAccessToken(accessTokenPayload(principal, "abcdefghijkl", {}, now), signer);
    const [body, sig] = token.slice(3).split(".") as [string, string];
    const wider = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(body, "base64url").toString()),
        scopes: ["kv:write"],
      }),
    ).toString("base64url");
    for (const bad of [
      `st_${wider}.${sig}`,
      `st_${body}.${"A".repeat(sig.length)}`,
      `st_${body}`,
      "st_",
      "sk_abcdefghijkl_x",
    ]) {
      expect(() => decodeAccessToken(bad, signer, now)).toThrow(Unauthenticated);
    }
  });

  it("rejects a correctly signed body that is not a payload", () => {
    const body = Buffer.from(JSON.stringify({ v: 2 })).toString("base64url");
    expect(() => decodeAccessToken(`st_${body}.${signer.sign(body)}`, signer, now)).toThrow(
      "The access token is not valid.",
    );
    const notJson = Buffer.from("{").toString("base64url");
    expect(() => decodeAccessToken(`st_${notJson}.${signer.sign(notJson)}`, signer, now)).toThrow(
      Unauthenticated,
    );
  });
});
