import { Controller, Get, Param, Query, Req, Res, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { bucketNameSchema, kvPrefixSchema, KvService, revisionSchema } from "@strata/core";
import { type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { streamKvWatch } from "../kv/kv-watch.sse.js";
import { OperatorAccess, tenantRefSchema } from "./operator-access.js";
import { OperatorGuard } from "./operator.guard.js";

const watchQuery = z.strictObject({
  prefix: kvPrefixSchema.optional(),
  from_revision: revisionSchema.optional(),
});

/**
 * Live watch of a bucket for the dashboard: Server-Sent Events, one `message`
 * per change, as the tenant's own watch sends them (default: changes from now).
 */
@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/kv")
@UseGuards(OperatorGuard)
export class AdminKvWatchController {
  constructor(
    private readonly kv: KvService,
    private readonly access: OperatorAccess,
  ) {}

  @Get(":tenant/:bucket/events")
  @ApiOperation({ summary: "Server-Sent Events: a bucket's changes, by prefix, from now" })
  async events(
    @Param("tenant", { schema: tenantRefSchema }) t: string,
    @Param("bucket", { schema: bucketNameSchema }) bucket: string,
    @Query({ schema: watchQuery }) q: z.infer<typeof watchQuery>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const p = await this.access.principal(t);
    await streamKvWatch(
      this.kv,
      p,
      bucket,
      { prefix: q.prefix, revision: q.from_revision },
      request,
      reply,
      { ids: "every_event", errorDetails: false },
    );
  }
}
