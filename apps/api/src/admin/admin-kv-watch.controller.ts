import { Controller, Get, Param, Query, Req, Res, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  bucketNameSchema,
  type KvEvent,
  kvPrefixSchema,
  KvService,
  revisionSchema,
  StrataError,
} from "@strata/core";
import { type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { eventJson } from "../kv/kv.json.js";
import { SseWriter } from "../streams/sse-writer.js";
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
    const writer = new SseWriter(reply.raw, String(request.id));
    // Not found and compacted are answered as problems here, before the stream opens.
    const watch = await this.kv.watch(
      p,
      bucket,
      { prefix: q.prefix, revision: q.from_revision },
      {
        deliver: (events) => {
          let ok = true;
          for (const e of events)
            ok = writer.event("message", String(e.revision), eventJson(e as KvEvent));
          return ok;
        },
        paused: (next) => {
          writer.event("slow_consumer", undefined, { next_revision: next });
          writer.onDrain(() => watch.resume());
        },
        failed: (err) => {
          const body =
            err instanceof StrataError
              ? { code: err.code, detail: err.message }
              : { code: "read_failed", detail: err.message };
          writer.event("error", undefined, body);
          writer.close();
        },
      },
    );
    reply.hijack();
    writer.open();
    request.raw.on("close", () => {
      watch.close();
      writer.close();
    });
    await watch.start();
  }
}
