import { Controller, Get, Inject, Query, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { pgText, StreamsService } from "@strata/core";
import { ClusterAdminPg, type Pool, type TierSplit, tierSplit } from "@strata/db";
import { z } from "zod";
import { PG_POOL } from "../config/runtime.js";
import { AdminInventoryPg } from "./admin-inventory.pg.js";
import { NodeFanOut } from "./node-fan-out.js";
import { OperatorGuard } from "./operator.guard.js";

const streamsQuery = z.strictObject({
  tenant: pgText(z.string().max(200)).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

interface Subscriber {
  node_id: string;
  stream_id: number;
  next_seq: number;
  state: string;
}

/**
 * Streams across tenants with lag figures: the committed head, each durable
 * consumer's lag, and each live subscriber's lag on every node (asked over
 * the internal channel; a node that does not answer in time is listed).
 */
@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/streams")
@UseGuards(OperatorGuard)
export class AdminStreamsController {
  constructor(
    private readonly cluster: ClusterAdminPg,
    private readonly streams: StreamsService,
    private readonly fanOut: NodeFanOut,
    private readonly inventory: AdminInventoryPg,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Get()
  @ApiOperation({
    summary: "Streams with head, owner, consumer lag and live subscriber lag across nodes",
  })
  async list(@Query({ schema: streamsQuery }) q: z.infer<typeof streamsQuery>) {
    const [rows, { subscribers, unreachable }] = await Promise.all([
      this.cluster.streams({ tenant: q.tenant, afterId: q.after, limit: q.limit }),
      this.subscribers(),
    ]);
    const counters = await this.inventory.streamCounters(rows.map((s) => s.id));
    const tiers = await tierSplit(
      this.pool,
      rows.map((s) => s.id),
    );
    return {
      items: rows.map((s) => {
        const consumers = s.consumers.map((c) => ({
          name: c.name,
          acked_seq: c.ackedSeq,
          lag: Math.max(0, s.head - c.ackedSeq),
        }));
        const subs = subscribers
          .filter((x) => x.stream_id === s.id)
          .map((x) => ({
            node_id: x.node_id,
            state: x.state,
            position: x.next_seq - 1,
            lag: Math.max(0, s.head - (x.next_seq - 1)),
          }));
        return {
          id: s.id,
          tenant: { id: s.tenantId, name: s.tenantName },
          name: s.name,
          owner: s.owner ? { node_id: s.owner.nodeId, epoch: s.owner.epoch } : null,
          head: s.head,
          messages: counters.get(s.id)?.messages ?? 0,
          bytes: counters.get(s.id)?.bytes ?? 0,
          // Where the messages live: rows in Postgres (hot), segments in the object store (cold).
          tiers: tierJson(tiers.get(s.id)),
          consumers,
          subscribers: subs,
          max_lag: Math.max(0, ...consumers.map((c) => c.lag), ...subs.map((x) => x.lag)),
        };
      }),
      next_after: rows.length === q.limit ? rows[rows.length - 1]!.id : null,
      unreachable_nodes: unreachable,
    };
  }

  private async subscribers(): Promise<{ subscribers: Subscriber[]; unreachable: string[] }> {
    const me = this.fanOut.selfId;
    const local: Subscriber[] = this.streams
      .subscriptions()
      .map((s) => ({ node_id: me, stream_id: s.streamId, next_seq: s.nextSeq, state: s.state }));
    const { answers, unreachable } = await this.fanOut.askOthers(
      "/internal/node/subscriptions",
      (body) => {
        const b = body as { node_id: string; items: Omit<Subscriber, "node_id">[] };
        return b.items.map((i) => ({ ...i, node_id: b.node_id }));
      },
    );
    return { subscribers: [...local, ...answers.flat()], unreachable };
  }
}

function tierJson(t: TierSplit | undefined) {
  return {
    hot: { messages: t?.hot.messages ?? 0, bytes: t?.hot.bytes ?? 0 },
    cold: {
      segments: t?.cold.segments ?? 0,
      messages: t?.cold.messages ?? 0,
      bytes: t?.cold.bytes ?? 0,
      object_bytes: t?.cold.objectBytes ?? 0,
    },
  };
}
