import { type Clock, epochMs } from "../common/clock.js";
import { type TenantId } from "./tenant.js";
import { type TenantTrafficRow, type TrafficCounts } from "./tenant-traffic.schemas.js";

/** The operations counted per tenant; each write's payload bytes go to `bytes_written`. */
export const TRAFFIC_OPS = ["messages_appended", "kv_writes", "doc_changes"] as const;
export type TrafficOp = (typeof TRAFFIC_OPS)[number];

/** The recent window, in seconds, that `recent` covers and rates are taken over. */
export const TRAFFIC_WINDOW_SECONDS = 60;

const zero = (): TrafficCounts => ({
  messages_appended: 0,
  kv_writes: 0,
  doc_changes: 0,
  bytes_written: 0,
});

interface Slot {
  /** The epoch second this slot counts; a slot from an older second is stale. */
  second: number;
  counts: TrafficCounts;
}

interface TenantLog {
  readonly totals: TrafficCounts;
  /** One slot per second of the window, indexed by `second % window`. */
  readonly slots: Slot[];
}

/**
 * What each tenant asked of this node: messages appended, KV writes, document
 * changes and their payload bytes, since the node started and over the last
 * minute. Per node and in memory: the operator API adds the nodes up, and a
 * restart starts again from zero. Counted when a request is admitted (after
 * the quota check), so a request refused by a quota is not counted.
 */
export class TenantTraffic {
  private readonly tenants = new Map<TenantId, TenantLog>();

  constructor(
    private readonly clock: Clock,
    readonly windowSeconds: number = TRAFFIC_WINDOW_SECONDS,
  ) {}

  record(tenantId: TenantId, op: TrafficOp, count: number, bytes = 0): void {
    if (count <= 0 && bytes <= 0) return;
    let log = this.tenants.get(tenantId);
    if (!log) {
      log = { totals: zero(), slots: [] };
      this.tenants.set(tenantId, log);
    }
    const second = Math.floor(epochMs(this.clock) / 1000);
    const i = second % this.windowSeconds;
    let slot = log.slots[i];
    if (!slot || slot.second !== second) {
      slot = { second, counts: zero() };
      log.slots[i] = slot;
    }
    for (const c of [log.totals, slot.counts]) {
      c[op] += count;
      c.bytes_written += bytes;
    }
  }

  /** Every tenant this node has served, with its totals and its last-window counts. */
  snapshot(): TenantTrafficRow[] {
    const now = Math.floor(epochMs(this.clock) / 1000);
    return [...this.tenants].map(([tenantId, log]) => {
      const recent = zero();
      for (const slot of log.slots) {
        if (slot && now - slot.second < this.windowSeconds) addInto(recent, slot.counts);
      }
      return { tenant_id: tenantId, recent, totals: { ...log.totals } };
    });
  }

  /** A deleted tenant: drop its counters. */
  forget(tenantId: TenantId): void {
    this.tenants.delete(tenantId);
  }
}

/** Operations of all kinds (messages count one each). */
export function trafficOps(c: TrafficCounts): number {
  return c.messages_appended + c.kv_writes + c.doc_changes;
}

/** Adds up several nodes' rows tenant by tenant. */
export function sumTraffic(nodes: readonly (readonly TenantTrafficRow[])[]): TenantTrafficRow[] {
  const byTenant = new Map<string, TenantTrafficRow>();
  for (const rows of nodes) {
    for (const row of rows) {
      const sum = byTenant.get(row.tenant_id) ?? {
        tenant_id: row.tenant_id,
        recent: zero(),
        totals: zero(),
      };
      addInto(sum.recent, row.recent);
      addInto(sum.totals, row.totals);
      byTenant.set(row.tenant_id, sum);
    }
  }
  return [...byTenant.values()];
}

/** Busiest first: recent operations, then recent bytes, then totals. */
export function byRecentTraffic(a: TenantTrafficRow, b: TenantTrafficRow): number {
  return (
    trafficOps(b.recent) - trafficOps(a.recent) ||
    b.recent.bytes_written - a.recent.bytes_written ||
    trafficOps(b.totals) - trafficOps(a.totals)
  );
}

function addInto(into: TrafficCounts, c: TrafficCounts): void {
  into.messages_appended += c.messages_appended;
  into.kv_writes += c.kv_writes;
  into.doc_changes += c.doc_changes;
  into.bytes_written += c.bytes_written;
}
