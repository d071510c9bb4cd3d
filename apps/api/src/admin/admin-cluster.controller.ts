import { Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { NotFound, pgText, Unavailable } from "@strata/core";
import { ClusterAdminPg } from "@strata/db";
import { z } from "zod";
import { ClusterMembership } from "../cluster/cluster-membership.js";
import { CLUSTER_SECRET, CLUSTER_SECRET_HEADER } from "../cluster/cluster-secret.js";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { JOB_RUNNER } from "../jobs/jobs.module.js";
import { type JobRunner, QUEUES } from "../jobs/job-runner.js";
import { OperatorGuard } from "./operator.guard.js";

const placementQuery = z.strictObject({
  node: pgText(z.string().max(200)).optional(),
  tenant: pgText(z.string().max(200)).optional(),
  kind: z.enum(["stream", "bucket", "doc"]).optional(),
  after: pgText(z.string().max(300)).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const lagQuery = z.strictObject({ min_lag: z.coerce.number().int().min(0).default(0) });

@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin")
@UseGuards(OperatorGuard)
export class AdminClusterController {
  constructor(
    private readonly cluster: ClusterAdminPg,
    @Inject(JOB_RUNNER) private readonly jobs: JobRunner,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(CLUSTER_SECRET) private readonly secret: string,
    private readonly membership: ClusterMembership,
  ) {}

  @Get("nodes")
  @ApiOperation({
    summary: "Nodes with status, heartbeat age (database clock) and owned resources",
  })
  async nodes() {
    const nodes = await this.cluster.nodes();
    return {
      items: nodes.map((n) => ({
        id: n.id,
        name: n.name,
        address: n.address,
        version: n.version,
        roles: n.roles,
        status: n.status,
        started_at: n.startedAt.toISOString(),
        heartbeat_at: n.heartbeatAt.toISOString(),
        heartbeat_age_ms: n.heartbeatAgeMs,
        lease_expires_at: n.leaseExpiresAt.toISOString(),
        owned: n.owned,
      })),
    };
  }

  @Post("nodes/:id/drain")
  @HttpCode(202)
  @ApiOperation({
    summary: "Drain a node: it stops taking work and hands its resources to the others",
  })
  async drain(@Param("id", { schema: pgText(z.string().min(1).max(200)) }) id: string) {
    if (id === this.runtime.node.identity.id) {
      void this.membership.drain();
      return { node_id: id, draining: true };
    }
    const node = (await this.cluster.nodes()).find((n) => n.id === id && n.status !== "dead");
    if (!node) throw new NotFound("node", id);
    const res = await fetch(`${node.address}/internal/node/drain`, {
      method: "POST",
      headers: { [CLUSTER_SECRET_HEADER]: this.secret },
      signal: AbortSignal.timeout(5000),
    }).catch(() => null);
    if (!res || res.status !== 202)
      throw new Unavailable(`Node ${id} did not accept the drain request.`);
    return { node_id: id, draining: true };
  }

  @Get("placement")
  @ApiOperation({
    summary:
      "Which node owns each resource, with epoch and lease expiry; filter by node, tenant, kind",
  })
  async placement(@Query({ schema: placementQuery }) q: z.infer<typeof placementQuery>) {
    const rows = await this.cluster.placement(q);
    return {
      items: rows.map((r) => ({
        resource: r.resource,
        kind: r.kind,
        tenant: r.tenantId ? { id: r.tenantId, name: r.tenantName } : null,
        name: r.name,
        node_id: r.nodeId,
        node_status: r.nodeStatus,
        epoch: r.epoch,
        acquired_at: r.acquiredAt.toISOString(),
        lease_expires_at: r.leaseExpiresAt?.toISOString() ?? null,
      })),
      next_after: rows.length === q.limit ? rows[rows.length - 1]!.resource : null,
    };
  }

  @Get("lag")
  @ApiOperation({ summary: "Durable consumers ranked by lag (head − acked)" })
  async lag(@Query({ schema: lagQuery }) q: z.infer<typeof lagQuery>) {
    const rows = await this.cluster.consumerLag(q.min_lag);
    return {
      // A consumer at least this far behind raises a `lag` alert (STRATA_LAG_ALERT_MESSAGES).
      threshold: this.runtime.config.lagAlertMessages,
      items: rows.map((r) => ({
        tenant: { id: r.tenantId, name: r.tenantName },
        stream: r.stream,
        consumer: r.consumer,
        acked_seq: r.ackedSeq,
        head: r.head,
        lag: r.lag,
      })),
    };
  }

  @Get("jobs")
  @ApiOperation({ summary: "Background queues: counts and recent failures" })
  async listJobs() {
    const stats = await this.jobs.stats();
    const byName = new Map(stats.map((s) => [s.name, s]));
    return {
      items: QUEUES.map((name) => {
        const s = byName.get(name);
        return {
          name,
          waiting: s?.waiting ?? 0,
          active: s?.active ?? 0,
          failed: s?.failed ?? 0,
          completed: s?.completed ?? 0,
          every_ms: s?.every ?? null,
          recent_failures: s?.recentFailures ?? [],
        };
      }),
    };
  }

  @Post("jobs/:queue/:id/retry")
  async retry(
    @Param("queue", { schema: z.enum(QUEUES) }) queue: string,
    @Param("id", { schema: pgText(z.string().min(1).max(100)) }) id: string,
  ) {
    if (!(await this.jobs.retry(queue, id))) throw new NotFound("failed job", `${queue}/${id}`);
    return { retried: true };
  }
}
