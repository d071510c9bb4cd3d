import { Controller, Get, Query, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiExcludeController, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  byRecentTraffic,
  type NodeTraffic,
  nodeTrafficSchema,
  sumTraffic,
  TenantQuotaGuard,
  type TenantTrafficResponse,
  trafficOps,
} from "@strata/core";
import { z } from "zod";
import { ClusterGuard } from "../cluster/internal.controller.js";
import { AdminInventoryPg } from "./admin-inventory.pg.js";
import { NodeFanOut } from "./node-fan-out.js";
import { OperatorGuard } from "./operator.guard.js";

const trafficQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** Two decimals: a tenant with one write a minute still shows (0.02/s). */
const perSecond = (n: number, seconds: number) => Math.round((n / seconds) * 100) / 100;

/**
 * Tenants by traffic: messages appended, KV writes, document changes and
 * their bytes, over the last minute and since each node started, added up
 * over every alive node (each node counts what it admitted; the others are
 * asked over the internal channel, as for throughput).
 */
@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/tenants/traffic")
@UseGuards(OperatorGuard)
export class AdminTrafficController {
  constructor(
    private readonly quotas: TenantQuotaGuard,
    private readonly fanOut: NodeFanOut,
    private readonly inventory: AdminInventoryPg,
  ) {}

  @Get()
  @ApiOperation({ summary: "Tenants busiest first: recent rates and totals across the cluster" })
  async traffic(@Query({ schema: trafficQuery }) q: z.infer<typeof trafficQuery>) {
    const local = nodeTraffic(this.fanOut.selfId, this.quotas);
    const { answers, unreachable } = await this.fanOut.askOthers("/internal/admin/traffic", (b) =>
      nodeTrafficSchema.parse(b),
    );
    const nodes = [local, ...answers];
    const window = local.window_seconds;
    const rows = sumTraffic(nodes.map((n) => n.tenants)).sort(byRecentTraffic);
    const names = await this.inventory.tenantNames(rows.map((r) => r.tenant_id));
    const body: TenantTrafficResponse = {
      window_seconds: window,
      items: rows
        .filter((r) => names.has(r.tenant_id))
        .slice(0, q.limit)
        .map((r) => ({
          tenant: { id: r.tenant_id, name: names.get(r.tenant_id)! },
          ...r,
          ops_per_second: perSecond(trafficOps(r.recent), window),
          bytes_per_second: perSecond(r.recent.bytes_written, window),
        })),
      nodes: nodes.map((n) => n.node_id),
      unreachable_nodes: unreachable,
    };
    return body;
  }
}

/** This node's counters, for the node that answers the operator. */
@ApiExcludeController()
@Controller("internal/admin/traffic")
@UseGuards(ClusterGuard)
export class InternalTrafficController {
  constructor(
    private readonly quotas: TenantQuotaGuard,
    private readonly fanOut: NodeFanOut,
  ) {}

  @Get()
  traffic(): NodeTraffic {
    return nodeTraffic(this.fanOut.selfId, this.quotas);
  }
}

function nodeTraffic(nodeId: string, quotas: TenantQuotaGuard): NodeTraffic {
  const { traffic } = quotas;
  return { node_id: nodeId, window_seconds: traffic.windowSeconds, tenants: traffic.snapshot() };
}
