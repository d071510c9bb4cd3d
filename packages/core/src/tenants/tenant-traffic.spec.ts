import { describe, expect, it } from "vitest";
import { TenantQuotaGuard } from "./quotas.js";
import { type TenantId } from "./tenant.js";
import { byRecentTraffic, sumTraffic, TenantTraffic, trafficOps } from "./tenant-traffic.js";
import { nodeTrafficSchema } from "./tenant-traffic.schemas.js";

function clock() {
  let now = new Date("2026-01-01T00:00:00Z").getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

const a = "tenant-a" as TenantId;
const b = "tenant-b" as TenantId;
const counts = (messages_appended: number, kv_writes = 0, doc_changes = 0, bytes_written = 0) => ({
  messages_appended,
  kv_writes,
  doc_changes,
  bytes_written,
});

describe(TenantTraffic.name, () => {
  it("counts each tenant's operations and bytes by kind", () => {
    const t = new TenantTraffic(clock());
    t.record(a, "messages_appended", 3, 30);
    t.record(a, "kv_writes", 1, 5);
    t.record(b, "doc_changes", 2, 100);
    const rows = new Map(t.snapshot().map((r) => [r.tenant_id, r]));
    expect(rows.get(a)).toEqual({
      tenant_id: a,
      recent: counts(3, 1, 0, 35),
      totals: counts(3, 1, 0, 35),
    });
    expect(rows.get(b)?.recent).toEqual(counts(0, 0, 2, 100));
  });

  it("keeps totals but lets recent counts fall out of the window", () => {
    const c = clock();
    const t = new TenantTraffic(c, 60);
    t.record(a, "messages_appended", 10);
    c.advance(30_000);
    t.record(a, "messages_appended", 5);
    c.advance(31_000);
    // The first second is now 61 s old; the second one 31 s.
    expect(t.snapshot()[0]).toMatchObject({ recent: counts(5), totals: counts(15) });
    c.advance(30_000);
    expect(t.snapshot()[0]).toMatchObject({ recent: counts(0), totals: counts(15) });
  });

  it("reuses a slot a full window later without mixing in the old second", () => {
    const c = clock();
    const t = new TenantTraffic(c, 10);
    t.record(a, "kv_writes", 4);
    c.advance(10_000);
    t.record(a, "kv_writes", 1);
    expect(t.snapshot()[0]?.recent.kv_writes).toBe(1);
  });

  it("ignores empty records and forgets a tenant on request", () => {
    const t = new TenantTraffic(clock());
    t.record(a, "messages_appended", 0);
    expect(t.snapshot()).toEqual([]);
    t.record(a, "messages_appended", 1);
    t.forget(a);
    expect(t.snapshot()).toEqual([]);
  });

  it("answers rows the internal wire schema accepts", () => {
    const t = new TenantTraffic(clock());
    t.record(a, "messages_appended", 2, 8);
    const wire = { node_id: "n1", window_seconds: t.windowSeconds, tenants: t.snapshot() };
    expect(nodeTrafficSchema.parse(wire)).toEqual(wire);
  });
});

describe(sumTraffic.name, () => {
  it("adds several nodes' rows up tenant by tenant", () => {
    const summed = sumTraffic([
      [{ tenant_id: a, recent: counts(2, 1), totals: counts(5, 1) }],
      [
        { tenant_id: a, recent: counts(3, 0, 0, 9), totals: counts(3, 0, 0, 9) },
        { tenant_id: b, recent: counts(1), totals: counts(1) },
      ],
    ]);
    expect(summed).toEqual([
      { tenant_id: a, recent: counts(5, 1, 0, 9), totals: counts(8, 1, 0, 9) },
      { tenant_id: b, recent: counts(1), totals: counts(1) },
    ]);
  });
});

describe(byRecentTraffic.name, () => {
  it("puts the most recent operations first, then recent bytes, then totals", () => {
    const row = (id: string, recent: number, bytes: number, total: number) => ({
      tenant_id: id,
      recent: counts(recent, 0, 0, bytes),
      totals: counts(total),
    });
    const sorted = [
      row("quiet", 0, 0, 100),
      row("busy", 9, 0, 9),
      row("heavy", 1, 500, 1),
      row("light", 1, 5, 1),
      row("idle", 0, 0, 0),
    ].sort(byRecentTraffic);
    expect(sorted.map((r) => r.tenant_id)).toEqual(["busy", "heavy", "light", "quiet", "idle"]);
    expect(trafficOps(counts(1, 2, 3, 99))).toBe(6);
  });
});

describe("TenantQuotaGuard traffic", () => {
  it("counts admitted appends and writes, not refused ones", async () => {
    const c = clock();
    const g = new TenantQuotaGuard(
      { quotas: async () => ({ messages_per_second: 3 }), storedBytes: async () => 0 },
      c,
      { quotasCacheMs: 60_000, storedBytesCacheMs: 1_000 },
    );
    await g.admitAppend(a, 2, 20);
    await expect(g.admitAppend(a, 2, 10)).rejects.toThrow(/messages_per_second/);
    c.advance(1_000);
    await g.admitWrite(a, { op: "kv_writes", count: 3, bytes: 7 });
    c.advance(1_000);
    await g.admitWrite(a);
    expect(g.traffic.snapshot()[0]?.totals).toEqual(counts(2, 3, 0, 27));
  });
});
