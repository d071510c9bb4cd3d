import { Controller, Get, Headers, Param, Query, Req, Res, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  pgText,
  seqSchema,
  streamNameSchema,
  StreamsService,
  TenantQuotaGuard,
} from "@strata/core";
import { type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { AccessWatch } from "../tenants/access-watch.js";
import { type ResolvedCredential } from "../tenants/credentials.js";
import { CurrentCredential, TenantKeyGuard } from "../tenants/tenant-key.guard.js";
import { SseWriter } from "./sse-writer.js";
import { messageJson } from "./stream.json.js";

const eventsQuery = z.strictObject({
  from_seq: seqSchema.optional(),
  consumer: pgText(z.string().max(255)).optional(),
});

@ApiTags("streams")
@ApiBearerAuth("tenant-key")
@Controller("v1/streams")
@UseGuards(TenantKeyGuard)
export class StreamEventsController {
  constructor(
    private readonly streams: StreamsService,
    private readonly quotas: TenantQuotaGuard,
    private readonly access: AccessWatch,
  ) {}

  @Get(":name/events")
  @ApiOperation({
    summary:
      "Server-Sent Events: the backlog from from_seq, then live messages; Last-Event-ID resumes",
  })
  async events(
    @CurrentCredential() credential: ResolvedCredential,
    @Param("name", { schema: streamNameSchema }) name: string,
    @Query({ schema: eventsQuery }) q: z.infer<typeof eventsQuery>,
    @Headers("last-event-id") lastEventId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    // Last-Event-ID (a seq we sent) wins: resume right after it.
    const resume = lastEventId !== undefined ? seqSchema.safeParse(lastEventId) : undefined;
    const fromSeq = resume?.success ? resume.data + 1 : q.from_seq;
    const p = credential.principal;
    // The tenant's connections quota: a 429 before the stream opens; the slot frees when it ends.
    request.raw.once("close", await this.quotas.openConnection(p.tenant.id));
    const writer = new SseWriter(reply.raw, String(request.id));
    const sub = await this.streams.subscribe(
      p,
      name,
      { seq: fromSeq, consumer: q.consumer },
      {
        deliver: (messages) => {
          let ok = true;
          for (const m of messages) ok = writer.event("message", String(m.seq), messageJson(m));
          return ok;
        },
        paused: (nextSeq) => {
          writer.event("slow_consumer", undefined, { next_seq: nextSeq });
          writer.onDrain(() => sub.resume());
        },
        failed: (err) => {
          writer.event("error", undefined, { code: "read_failed", detail: err.message });
          writer.close();
        },
      },
    );
    reply.hijack();
    writer.open();
    // A revoked key, a suspended tenant or an expired token: a last `error` event, then the end.
    const release = this.access.hold(credential, (err) => {
      writer.event("error", undefined, { code: err.code, detail: err.message });
      sub.close();
      writer.close();
    });
    request.raw.on("close", () => {
      release();
      sub.close();
      writer.close();
    });
    await sub.start();
  }
}
