import { Controller, Get, Headers, Param, Query, Req, Res, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  bucketNameSchema,
  type KvEvent,
  KvService,
  kvWatchQuery,
  type Principal,
  revisionSchema,
  StrataError,
} from "@strata/core";
import { type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { SseWriter } from "../streams/sse-writer.js";
import { CurrentPrincipal, TenantKeyGuard } from "../tenants/tenant-key.guard.js";
import { eventJson } from "./kv.json.js";

@ApiTags("kv")
@ApiBearerAuth("tenant-key")
@Controller("v1/kv")
@UseGuards(TenantKeyGuard)
export class KvEventsController {
  constructor(private readonly kv: KvService) {}

  @Get(":bucket/events")
  @ApiOperation({
    summary:
      "Server-Sent Events: every put, delete and expiry from from_revision (default: from now), filtered by prefix; Last-Event-ID resumes",
  })
  async events(
    @CurrentPrincipal() p: Principal,
    @Param("bucket", { schema: bucketNameSchema }) bucket: string,
    @Query({ schema: kvWatchQuery }) q: z.infer<typeof kvWatchQuery>,
    @Headers("last-event-id") lastEventId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    // Last-Event-ID (the last revision we completed) wins: resume right after it.
    const resume = lastEventId !== undefined ? revisionSchema.safeParse(lastEventId) : undefined;
    const from = resume?.success ? resume.data + 1 : q.from_revision;
    const writer = new SseWriter(reply.raw, String(request.id));
    // Compacted, not found and forbidden are answered here, as problems, before the stream opens.
    const watch = await this.kv.watch(
      p,
      bucket,
      { prefix: q.prefix, revision: from },
      {
        deliver: (events) => {
          let ok = true;
          events.forEach((e, i) => {
            // The id goes on the last change of a revision, so a resume never splits a transaction.
            const id = events[i + 1]?.revision === e.revision ? undefined : String(e.revision);
            ok = writer.event("message", id, eventJson(e as KvEvent));
          });
          return ok;
        },
        paused: (next) => {
          writer.event("slow_consumer", undefined, { next_revision: next });
          writer.onDrain(() => watch.resume());
        },
        failed: (err) => {
          const body =
            err instanceof StrataError
              ? { code: err.code, detail: err.message, ...err.details }
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
