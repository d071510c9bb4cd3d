import { describe, expect, it } from "vitest";
import { Forbidden, Unauthenticated } from "../errors.js";
import { type ApiKey, formatApiKey } from "./api-key.js";
import { authorize, KeyAuthenticator } from "./key-authenticator.js";
import { type KeyId, type Tenant, type TenantId } from "./tenant.js";
import { type KeyCredentials, type KeyMinter, type TenantStore } from "./tenant-store.js";

const minter: KeyMinter = {
  mint: () => ({ prefix: "abcdefghijkl", secret: "s".repeat(43) }),
  hash: (s) => `h:${s}`,
  verify: (s, h) => h === `h:${s}`,
};

function fixture() {
  let now = new Date("2026-01-01T00:00:00Z");
  const clock = { now: () => now };
  const tenant: Tenant = {
    id: "t1" as TenantId,
    name: "acme",
    status: "active",
    createdAt: now,
    updatedAt: now,
  };
  const key: ApiKey = {
    id: "k1" as KeyId,
    tenantId: tenant.id,
    name: "k",
    prefix: "abcdefghijkl",
    scopes: ["kv:read"],
    patterns: [],
    expiresAt: null,
    revokedAt: null,
    createdAt: now,
  };
  const state = {
    creds: { key, tenant, secretHash: `h:${"s".repeat(43)}` } as KeyCredentials,
    lookups: 0,
  };
  const store = {
    findKeyByPrefix: async (prefix: string) => {
      state.lookups++;
      return prefix === key.prefix ? state.creds : null;
    },
  } as unknown as TenantStore;
  const auth = new KeyAuthenticator(store, minter, clock, { cacheMs: 1000, cacheSize: 2 });
  return {
    auth,
    state,
    token: formatApiKey("abcdefghijkl", "s".repeat(43)),
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
  };
}

describe(KeyAuthenticator.name, () => {
  it("resolves a valid key to its tenant and scopes, reading the store once per cache window", async () => {
    const f = fixture();
    const p = await f.auth.authenticate(f.token);
    expect(p).toMatchObject({ tenant: { id: "t1", name: "acme" }, scopes: ["kv:read"] });
    await f.auth.authenticate(f.token);
    expect(f.state.lookups).toBe(1);
    f.advance(1000);
    await f.auth.authenticate(f.token);
    expect(f.state.lookups).toBe(2);
  });

  it("notices a revocation once the cache window has passed", async () => {
    const f = fixture();
    await f.auth.authenticate(f.token);
    f.state.creds = { ...f.state.creds, key: { ...f.state.creds.key, revokedAt: new Date() } };
    f.advance(999);
    await expect(f.auth.authenticate(f.token)).resolves.toBeDefined();
    f.advance(1);
    await expect(f.auth.authenticate(f.token)).rejects.toThrow(/revoked/);
  });

  it("refuses an expired key even from the cache", async () => {
    const f = fixture();
    f.state.creds = {
      ...f.state.creds,
      key: { ...f.state.creds.key, expiresAt: new Date("2026-01-01T00:00:00.500Z") },
    };
    await f.auth.authenticate(f.token);
    f.advance(500);
    await expect(f.auth.authenticate(f.token)).rejects.toThrow(/expired/);
  });

  it("refuses keys of a suspended tenant, a wrong secret and malformed tokens", async () => {
    const f = fixture();
    await expect(f.auth.authenticate(undefined)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(f.auth.authenticate("sk_nope")).rejects.toBeInstanceOf(Unauthenticated);
    await expect(f.auth.authenticate(formatApiKey("abcdefghijkl", "t".repeat(43)))).rejects.toThrow(
      /not valid/,
    );
    f.state.creds = { ...f.state.creds, tenant: { ...f.state.creds.tenant, status: "suspended" } };
    f.advance(1000);
    await expect(f.auth.authenticate(f.token)).rejects.toThrow(/suspended/);
  });

  it("keeps the cache bounded", async () => {
    const f = fixture();
    for (const prefix of ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"]) {
      await f.auth.authenticate(formatApiKey(prefix, "s".repeat(43))).catch(() => {});
    }
    // The oldest entry was evicted, so the first key is read again.
    await f.auth.authenticate(formatApiKey("aaaaaaaaaaaa", "s".repeat(43))).catch(() => {});
    expect(f.state.lookups).toBe(4);
  });
});

describe(authorize.name, () => {
  const principal = {
    tenant: { id: "t1" as TenantId, name: "acme" },
    keyId: "k1" as KeyId,
    scopes: ["streams:read" as const],
    patterns: ["orders.*"],
  };
  it("throws Forbidden for a missing scope or a name outside the patterns", () => {
    expect(() => authorize(principal, "streams:read", "orders.eu")).not.toThrow();
    expect(() => authorize(principal, "streams:write")).toThrow(Forbidden);
    expect(() => authorize(principal, "streams:read", "billing.eu")).toThrow(Forbidden);
  });
});
