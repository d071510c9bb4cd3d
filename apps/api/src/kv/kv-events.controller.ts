import { Controller, Get, Headers, Param, Query, Req, Res, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  bucketNameSchema,
  KvService,
  kvWatchQuery,
  revisionSchema,
  TenantQuotaGuard,
} from "@strata/core";
import { type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { AccessWatch } from "../tenants/access-watch.js";
import { type ResolvedCredential } from "../tenants/credentials.js";
import { CurrentCredential, TenantKeyGuard } from "../tenants/tenant-key.guard.js";
import { streamKvWatch } from "./kv-watch.sse.js";

@ApiTags("kv")
@ApiBearerAuth("tenant-key")
@Controller("v1/kv")
@UseGuards(TenantKeyGuard)
export class KvEventsController {
  constructor(
    private readonly kv: KvService,
    private readonly quotas: TenantQuotaGuard,
    private readonly access: AccessWatch,
  ) {}

  @Get(":bucket/events")
  @ApiOperation({
    summary:
      "Server-Sent Events: every put, delete and expiry from from_revision (default: from now), filtered by prefix; Last-Event-ID resumes",
  })
  async events(
    @CurrentCredential() credential: ResolvedCredential,
    @Param("bucket", { schema: bucketNameSchema }) bucket: string,
    @Query({ schema: kvWatchQuery }) q: z.infer<typeof kvWatchQuery>,
    @Headers("last-event-id") lastEventId: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    // Last-Event-ID (the last revision we completed) wins: resume right after it.
    const resume = lastEventId !== undefined ? revisionSchema.safeParse(lastEventId) : undefined;
    const from = resume?.success ? resume.data + 1 : q.from_revision;
    const p = credential.principal;
    // The tenant's connections quota: a 429 before the watch opens; the slot frees when it ends.
    request.raw.once("close", await this.quotas.openConnection(p.tenant.id));
    await streamKvWatch(this.kv, p, bucket, { prefix: q.prefix, revision: from }, request, reply, {
      ids: "revision_end",
      errorDetails: true,
      hold: (end) => this.access.hold(credential, end),
    });
  }
}
