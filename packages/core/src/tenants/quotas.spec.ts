import { describe, expect, it } from "vitest";
import { ExceedsQuota, TooManyRequests } from "../errors.js";
import { type TenantQuotas, TenantQuotaGuard, tenantQuotasSchema } from "./quotas.js";
import { type TenantId } from "./tenant.js";

function clock() {
  let now = new Date("2026-01-01T00:00:00Z").getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

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

  it("refuses a request larger than messages_per_second outright, taking nothing", async () => {
    const { g } = guard({ messages_per_second: 50 });
    const err = await g.admitAppend(t, 5_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExceedsQuota);
    expect((err as ExceedsQuota).details).toMatchObject({ limit: 50, requested: 5_000 });
    await g.admitAppend(t, 50);
    const limited = (await g.admitAppend(t, 1).catch((e: unknown) => e)) as TooManyRequests;
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 20, retryAfterSeconds: 1 });
  });

  it("counts admitted bytes at once, between reads of the stored-bytes total", async () => {
    const { g, state } = guard({ stored_bytes: 1_000 });
    for (let i = 0; i < 4; i++) await g.admitAppend(t, 1, 300);
    await expect(g.admitWrite(t, { op: "kv_writes", bytes: 1 })).rejects.toThrow(/1200 bytes/);
    expect(() => g.admitAppendNow(t, 1, 1)).toThrow(TooManyRequests);
    expect(state.reads).toBe(1);
  });

  it("keeps bytes admitted while the total is being read", async () => {
    const c = clock();
    let answer: (n: number) => void = () => {};
    const g = new TenantQuotaGuard(
      {
        quotas: async () => ({ stored_bytes: 1_000 }),
        storedBytes: () => new Promise<number>((r) => (answer = r)),
      },
      c,
      { quotasCacheMs: 60_000, storedBytesCacheMs: 5_000 },
    );
    const ticks = async () => {
      for (let i = 0; i < 10; i++) await Promise.resolve();
    };
    const first = g.admitAppend(t, 1, 600);
    await ticks();
    answer(0);
    await first;
    c.advance(4_000);
    // Ahead of expiry the hot path reads the total again and goes on admitting meanwhile.
    expect(g.admitAppendNow(t, 1, 300)).toBe(true);
    expect(g.admitAppendNow(t, 1, 300)).toBe(true);
    answer(600);
    await ticks();
    await expect(g.admitAppend(t, 1)).rejects.toThrow(/1200 bytes/);
  });

  it("makes KV and document writes take messages_per_second tokens", async () => {
    const { g } = guard({ messages_per_second: 3 });
    await g.admitWrite(t, { op: "kv_writes", count: 2 });
    await g.admitWrite(t, { op: "doc_changes" });
    await expect(g.admitAppend(t, 1)).rejects.toBeInstanceOf(TooManyRequests);
    await expect(g.admitWrite(t, { op: "kv_writes", count: 4 })).rejects.toBeInstanceOf(
      ExceedsQuota,
    );
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
