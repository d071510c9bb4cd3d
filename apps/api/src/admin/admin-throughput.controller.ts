import { Controller, Get, Query, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiExcludeController, ApiOperation, ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { ClusterGuard } from "../cluster/internal.controller.js";
import { NodeFanOut } from "./node-fan-out.js";
import { OperatorGuard } from "./operator.guard.js";
import { type ThroughputPoint, ThroughputSampler } from "./throughput-sampler.js";

const throughputQuery = z.strictObject({
  /** Points per node, one per second. */
  limit: z.coerce.number().int().min(1).max(300).default(120),
});

interface NodeThroughput {
  node_id: string;
  points: ThroughputPoint[];
}

/**
 * Live throughput of every alive node (appends/s, deliveries/s, errors/s,
 * requests/s), each node's own samples asked over the internal channel; the
 * `total` series adds the nodes up second by second.
 */
@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/throughput")
@UseGuards(OperatorGuard)
export class AdminThroughputController {
  constructor(
    private readonly sampler: ThroughputSampler,
    private readonly fanOut: NodeFanOut,
  ) {}

  @Get()
  @ApiOperation({ summary: "Per-second throughput of each node and of the cluster" })
  async throughput(@Query({ schema: throughputQuery }) q: z.infer<typeof throughputQuery>) {
    const { answers: remote, unreachable } = await this.fanOut.askOthers(
      `/internal/admin/throughput?limit=${q.limit}`,
      (body) => body as NodeThroughput,
    );
    const nodes = [
      { node_id: this.sampler.nodeId, points: this.sampler.recent(q.limit) },
      ...remote,
    ];
    return { nodes, total: addUp(nodes), unreachable_nodes: unreachable };
  }
}

/** Sums the nodes' points second by second (nodes sample on their own clocks). */
function addUp(nodes: readonly NodeThroughput[]): ThroughputPoint[] {
  const bySecond = new Map<number, ThroughputPoint>();
  for (const n of nodes) {
    for (const p of n.points) {
      const t = Math.floor(p.t / 1000) * 1000;
      const a = bySecond.get(t);
      bySecond.set(
        t,
        a
          ? {
              t,
              appends: a.appends + p.appends,
              deliveries: a.deliveries + p.deliveries,
              errors: a.errors + p.errors,
              requests: a.requests + p.requests,
            }
          : { ...p, t },
      );
    }
  }
  return [...bySecond.values()].sort((a, b) => a.t - b.t);
}

/** This node's samples, for the node that answers the operator. */
@ApiExcludeController()
@Controller("internal/admin/throughput")
@UseGuards(ClusterGuard)
export class InternalThroughputController {
  constructor(private readonly sampler: ThroughputSampler) {}

  @Get()
  throughput(@Query({ schema: throughputQuery }) q: z.infer<typeof throughputQuery>) {
    return { node_id: this.sampler.nodeId, points: this.sampler.recent(q.limit) };
  }
}
