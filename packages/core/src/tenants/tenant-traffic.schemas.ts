import { z } from "zod";

const count = z.number().int().min(0);

/** Operations by kind and the payload bytes they carried. */
export const trafficCountsSchema = z.object({
  messages_appended: count,
  kv_writes: count,
  doc_changes: count,
  bytes_written: count,
});
export type TrafficCounts = z.infer<typeof trafficCountsSchema>;

/** One tenant on one node (or summed over nodes): the last window and since start. */
export const tenantTrafficRowSchema = z.object({
  tenant_id: z.string(),
  recent: trafficCountsSchema,
  totals: trafficCountsSchema,
});
export type TenantTrafficRow = z.infer<typeof tenantTrafficRowSchema>;

/** What a node answers over the internal channel (`/internal/admin/traffic`). */
export const nodeTrafficSchema = z.object({
  node_id: z.string(),
  window_seconds: z.number().int().positive(),
  tenants: z.array(tenantTrafficRowSchema),
});
export type NodeTraffic = z.infer<typeof nodeTrafficSchema>;

const rate = z.number().min(0);

/**
 * `GET /v1/admin/tenants/traffic`: tenants busiest first, summed over the
 * nodes that answered. `recent` covers the last `window_seconds`; the rates
 * are `recent` divided by it; `totals` run since each node started.
 */
export const tenantTrafficResponseSchema = z.object({
  window_seconds: z.number().int().positive(),
  items: z.array(
    tenantTrafficRowSchema.extend({
      tenant: z.object({ id: z.string(), name: z.string() }),
      ops_per_second: rate,
      bytes_per_second: rate,
    }),
  ),
  nodes: z.array(z.string()),
  unreachable_nodes: z.array(z.string()),
});
export type TenantTrafficResponse = z.infer<typeof tenantTrafficResponseSchema>;
