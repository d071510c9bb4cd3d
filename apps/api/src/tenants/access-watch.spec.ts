import {
  InProcessBus,
  type KeyAccess,
  type KeyAuthenticator,
  type KeyId,
  type Principal,
  type StrataError,
  type TenantId,
} from "@strata/core";
import { type TenantRepositoryPg } from "@strata/db";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ACCESS_SWEEP_MS, ACCESS_TOPIC, AccessWatch } from "./access-watch.js";
import { type CredentialResolver, type ResolvedCredential } from "./credentials.js";

function credential(key: string): ResolvedCredential {
  const principal: Principal = {
    tenant: { id: "t" as TenantId, name: "t" },
    keyId: key as KeyId,
    scopes: [],
    patterns: [],
  };
  return { principal, kind: "key", expiresAt: null };
}

/**
 * A store holding the revoked keys; with `manual`, each read waits until the
 * test answers it (to see what happens while a check is reading).
 */
function fixture(manual = false) {
  const revoked = new Set<string>();
  const reads: { keyIds: readonly KeyId[]; answer: () => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const store = {
    keyAccess: (keyIds: readonly KeyId[]) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // What the database held when the read began.
      const now = new Set(revoked);
      return new Promise<KeyAccess[]>((resolve) => {
        const answer = () => {
          inFlight--;
          resolve(keyIds.map((keyId) => row(keyId, now.has(keyId))));
        };
        reads.push({ keyIds, answer });
        if (!manual) answer();
      });
    },
  };
  const invalidations = { n: 0 };
  const cache = { invalidate: () => invalidations.n++ };
  const bus = new InProcessBus();
  const watch = new AccessWatch(
    store as unknown as TenantRepositoryPg,
    { now: () => new Date() },
    bus,
    cache as unknown as KeyAuthenticator,
    cache as unknown as CredentialResolver,
  );
  const ended: { key: string; error: StrataError }[] = [];
  const hold = (key: string) => watch.hold(credential(key), (error) => ended.push({ key, error }));
  return { watch, bus, revoked, reads, ended, hold, invalidations, maxInFlight: () => maxInFlight };
}

function row(keyId: KeyId, revoked: boolean): KeyAccess {
  return { keyId, tenantId: "t" as TenantId, revoked, expiresAt: null, tenantStatus: "active" };
}

const tick = () => new Promise((r) => setImmediate(r));

afterEach(() => vi.useRealTimers());

describe(AccessWatch.name, () => {
  it("ends a revoked key's connections once, with the reason, and leaves the others", async () => {
    const f = fixture();
    f.hold("k1");
    f.hold("k2");
    f.hold("k1");
    f.revoked.add("k1");
    await f.watch.check();
    expect(f.ended.map((e) => [e.key, e.error.code])).toEqual([
      ["k1", "unauthenticated"],
      ["k1", "unauthenticated"],
    ]);
    expect(f.watch.connections).toBe(1);
    await f.watch.check();
    expect(f.ended).toHaveLength(2);
  });

  it("does not check a connection that closed", async () => {
    const f = fixture();
    f.hold("k1")();
    f.hold("k2");
    await f.watch.check();
    expect(f.reads.map((r) => r.keyIds)).toEqual([["k2"]]);
  });

  it("never overlaps checks; a change during one runs exactly one more after it", async () => {
    const f = fixture(true);
    f.hold("k1");
    const first = f.watch.check();
    await tick();
    expect(f.reads).toHaveLength(1);
    // Announced while the first check reads: it may have read the key before the change.
    f.revoked.add("k1");
    const second = f.watch.check();
    const third = f.watch.check();
    expect(f.reads).toHaveLength(1);
    f.reads[0]!.answer();
    await tick();
    expect(f.reads).toHaveLength(2);
    f.reads[1]!.answer();
    await Promise.all([first, second, third]);
    expect(f.reads).toHaveLength(2);
    expect(f.maxInFlight()).toBe(1);
    expect(f.ended.map((e) => e.key)).toEqual(["k1"]);
  });

  it("re-checks, and forgets cached keys, when the bus announces a change", async () => {
    const f = fixture();
    await f.watch.onApplicationBootstrap();
    f.hold("k1");
    f.revoked.add("k1");
    f.bus.publish(ACCESS_TOPIC, { tenantId: "t" });
    expect(f.invalidations.n).toBe(2);
    await f.watch.check();
    expect(f.ended.map((e) => e.key)).toEqual(["k1"]);
    await f.watch.beforeApplicationShutdown();
  });

  it("sweeps every ACCESS_SWEEP_MS once started, without a bus event", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const f = fixture(true);
    await f.watch.onApplicationBootstrap();
    f.hold("k1");
    vi.advanceTimersByTime(ACCESS_SWEEP_MS - 1);
    expect(f.reads).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(f.reads).toHaveLength(1);
    // Still reading: the next tick does not start a second, overlapping sweep.
    vi.advanceTimersByTime(ACCESS_SWEEP_MS);
    expect(f.reads).toHaveLength(1);
    f.reads[0]!.answer();
    await f.watch.beforeApplicationShutdown();
  });
});
