import { Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { seqSchema, streamNameSchema, StreamsService } from "@strata/core";
import { z } from "zod";
import { consumerJson, messageJson, streamJson } from "../streams/stream.json.js";
import { AdminInventoryPg } from "./admin-inventory.pg.js";
import { OperatorAccess, tenantRefSchema } from "./operator-access.js";
import { OperatorGuard } from "./operator.guard.js";

const tenant = { schema: tenantRefSchema };
const name = { schema: streamNameSchema };
const browseQuery = z.strictObject({
  from_seq: seqSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/**
 * One stream as an operator sees it: config, counters, consumers with lag, a
 * message browser, purge and delete. Each call goes through StreamsService as
 * the tenant, so reads and writes take the same paths (and owner) as the tenant's.
 */
@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/streams/:tenant/:name")
@UseGuards(OperatorGuard)
export class AdminStreamDetailController {
  constructor(
    private readonly streams: StreamsService,
    private readonly access: OperatorAccess,
    private readonly inventory: AdminInventoryPg,
  ) {}

  @Get()
  @ApiOperation({ summary: "A tenant's stream: config, counters, owner, consumers with lag" })
  async get(@Param("tenant", tenant) t: string, @Param("name", name) stream: string) {
    const p = await this.access.principal(t);
    const info = await this.streams.get(p, stream);
    // Committed figures from the database: the owner may be another node, whose live counters are not here.
    const committed = (await this.inventory.streamCounters([info.id])).get(info.id);
    const stats = committed && committed.lastSeq >= info.lastSeq ? committed : info;
    return {
      tenant: p.tenant,
      ...streamJson({ ...info, ...stats }),
      owner: info.owner ? { node_id: info.owner.nodeId, epoch: info.owner.epoch } : null,
      consumers: info.consumers.map((c) => consumerJson(c, stats.lastSeq)),
      // Where the messages live: rows in PostgreSQL (hot), sealed segments in the object store (cold).
      tiers: committed && {
        hot: { messages: committed.hotMessages, bytes: committed.bytes },
        cold: {
          segments: committed.coldSegments,
          messages: committed.coldMessages,
          object_bytes: committed.coldBytes,
        },
      },
    };
  }

  @Get("messages")
  @ApiOperation({ summary: "Browse a stream's messages from a seq (values base64-encoded)" })
  async messages(
    @Param("tenant", tenant) t: string,
    @Param("name", name) stream: string,
    @Query({ schema: browseQuery }) q: z.infer<typeof browseQuery>,
  ) {
    const p = await this.access.principal(t);
    const from = q.from_seq ?? 1;
    const messages = await this.streams.read(p, stream, from, q.limit);
    const next = messages.length ? messages[messages.length - 1]!.seq + 1 : from;
    return { messages: messages.map(messageJson), next_seq: next };
  }

  @Post("purge")
  @HttpCode(200)
  @ApiOperation({ summary: "Remove every message of the stream (seqs are never reused)" })
  async purge(@Param("tenant", tenant) t: string, @Param("name", name) stream: string) {
    const removed = await this.streams.deleteUpTo(
      await this.access.principal(t),
      stream,
      undefined,
    );
    return { purged: removed.messages, bytes: removed.bytes, first_seq: removed.firstSeq };
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: "Delete the stream with its messages and consumers" })
  async remove(@Param("tenant", tenant) t: string, @Param("name", name) stream: string) {
    await this.streams.delete(await this.access.principal(t), stream);
  }
}
