import { describe, expect, it } from "vitest";
import { TooManyRequests } from "../errors.js";
import { type TenantQuotas, TenantQuotaGuard, tenantQuotasSchema, TokenBucket } from "./quotas.js";
import { type TenantId } from "./tenant.js";

function clock() {
  let now = new Date("2026-01-01T00:00:00Z").getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe(TokenBucket.name, () => {
  it("allows a burst of one second of the rate, then refills with time", () => {
    const c = clock();
    const bucket = new TokenBucket(5, c);
    for (let i = 0; i < 5; i++) expect(bucket.take(1)).toEqual({ ok: true });
    expect(bucket.take(1)).toEqual({ ok: false, retryAfterSeconds: 1 });
    c.advance(200);
    expect(bucket.take(1)).toEqual({ ok: true });
    expect(bucket.take(1).ok).toBe(false);
  });

  it("lets a batch larger than the bucket through when full, leaving it in debt", () => {
    const c = clock();
    const bucket = new TokenBucket(2, c);
    expect(bucket.take(6)).toEqual({ ok: true });
    expect(bucket.take(1)).toEqual({ ok: false, retryAfterSeconds: 3 });
    c.advance(2_500);
    expect(bucket.take(1)).toEqual({ ok: true });
  });

  it("charges coalesced requests each as if alone, all or none", () => {
    const c = clock();
    const bucket = new TokenBucket(3, c);
    expect(bucket.take([1, 1, 1, 1])).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(bucket.take([1, 2])).toEqual({ ok: true });
    expect(bucket.take(1).ok).toBe(false);
  });
});

describe(TenantQuotaGuard.name, () => {
  const t = "t1" as TenantId;
  function guard(quotas: TenantQuotas, bytes = 0) {
    const c = clock();
    const state = { quotas, bytes, reads: 0 };
    const g = new TenantQuotaGuard(
      {
        quotas: async () => state.quotas,
        storedBytes: async () => (state.reads++, state.bytes),
      },
      c,
      { quotasCacheMs: 2_000, storedBytesCacheMs: 5_000 },
    );
    return { g, c, state };
  }

  it("refuses appends past messages_per_second with a 429 naming the quota", async () => {
    const { g } = guard({ messages_per_second: 2 });
    await g.admitAppend(t, 1);
    await g.admitAppend(t, 1);
    const err = await g.admitAppend(t, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequests);
    expect((err as TooManyRequests).message).toMatch(/messages_per_second/);
    expect(g.usage(t).messagesPerSecond).toBe(0.4);
  });

  it("refuses writes once stored bytes reach the quota, read through a cache", async () => {
    const { g, c, state } = guard({ stored_bytes: 100 }, 50);
    await g.admitWrite(t);
    state.bytes = 100;
    await g.admitWrite(t);
    expect(state.reads).toBe(1);
    c.advance(5_000);
    await expect(g.admitWrite(t)).rejects.toThrow(/stored_bytes/);
    await expect(g.admitAppend(t, 1)).rejects.toBeInstanceOf(TooManyRequests);
  });

  it("counts connections and frees a slot when one closes", async () => {
    const { g } = guard({ connections: 1 });
    const release = await g.openConnection(t);
    await expect(g.openConnection(t)).rejects.toThrow(/connections/);
    release();
    release();
    expect(g.usage(t).connections).toBe(0);
    await expect(g.openConnection(t)).resolves.toBeTypeOf("function");
  });

  it("validates quotas, naming the field", () => {
    expect(tenantQuotasSchema.safeParse({ connections: 3 }).success).toBe(true);
    const bad = tenantQuotasSchema.safeParse({ stored_bytes: -1 });
    expect(bad.success || bad.error.issues[0]!.path).toEqual(["stored_bytes"]);
  });
});
