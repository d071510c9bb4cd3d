import { describe, expect, it } from "vitest";
import { Forbidden, Unauthenticated } from "../errors.js";
import { ConnectionAccess, type HeldCredential, type KeyAccess } from "./connection-access.js";
import { type KeyId, type TenantId } from "./tenant.js";

const T = "t1" as TenantId;
const now = new Date("2026-01-01T00:00:00Z");
const later = new Date("2026-01-01T01:00:00Z");
const earlier = new Date("2025-12-31T23:00:00Z");

function held(key: string, expiresAt: Date | null = null, tenantId = T): HeldCredential {
  return { keyId: key as KeyId, tenantId, expiresAt };
}

function row(key: string, patch: Partial<KeyAccess> = {}): KeyAccess {
  return {
    keyId: key as KeyId,
    tenantId: T,
    revoked: false,
    expiresAt: null,
    tenantStatus: "active",
    ...patch,
  };
}

function fixture(rows: KeyAccess[]) {
  const reads: (readonly KeyId[])[] = [];
  const store = {
    keyAccess: async (ids: readonly KeyId[]) => {
      reads.push(ids);
      return rows.filter((r) => ids.includes(r.keyId));
    },
  };
  return { access: new ConnectionAccess(store, { now: () => now }), reads };
}

describe(ConnectionAccess.name, () => {
  it("keeps connections whose key and tenant are still good", async () => {
    const f = fixture([row("k1")]);
    expect(await f.access.check([held("k1"), held("k1", later)])).toEqual([]);
  });

  it("ends a revoked key's connections, an expired key's and a missing key's as unauthenticated", async () => {
    const f = fixture([row("k1", { revoked: true }), row("k2", { expiresAt: earlier })]);
    const denials = await f.access.check([held("k1"), held("k2"), held("k3")]);
    expect(denials.map((d) => [d.held.keyId, d.error.code, d.error.message])).toEqual([
      ["k1", "unauthenticated", "The API key has been revoked."],
      ["k2", "unauthenticated", "The API key has expired."],
      ["k3", "unauthenticated", "The API key no longer exists."],
    ]);
    for (const d of denials) expect(d.error).toBeInstanceOf(Unauthenticated);
  });

  it("ends a suspended tenant's connections as forbidden", async () => {
    const f = fixture([row("k1", { tenantStatus: "suspended" })]);
    const [denial] = await f.access.check([held("k1")]);
    expect(denial?.error).toBeInstanceOf(Forbidden);
    expect(denial?.error.message).toBe("The tenant is suspended.");
  });

  it("does not trust a key row of another tenant than the connection's", async () => {
    const f = fixture([row("k1")]);
    const [denial] = await f.access.check([held("k1", null, "t2" as TenantId)]);
    expect(denial?.error.code).toBe("unauthenticated");
  });

  it("ends an expired token by the clock alone, without reading its key", async () => {
    const f = fixture([row("k1")]);
    const denials = await f.access.check([held("k1", earlier), held("k1", now)]);
    expect(denials.map((d) => d.error.message)).toEqual([
      "The access token has expired.",
      "The access token has expired.",
    ]);
    expect(f.reads).toEqual([]);
  });

  it("reads every distinct key once, in one call, however many connections hold it", async () => {
    const f = fixture([row("k1"), row("k2", { revoked: true })]);
    const conns = [held("k1"), held("k2"), held("k1", later), held("k2", later)];
    const denials = await f.access.check(conns);
    expect(f.reads).toEqual([["k1", "k2"]]);
    expect(denials.map((d) => d.held)).toEqual([conns[1], conns[3]]);
  });
});
