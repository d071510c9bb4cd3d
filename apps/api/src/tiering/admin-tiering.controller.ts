import { Body, Controller, HttpCode, Param, Post, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { streamNameSchema, StreamsService } from "@strata/core";
import { z } from "zod";
import { OperatorAccess, tenantRefSchema } from "../admin/operator-access.js";
import { OperatorGuard } from "../admin/operator.guard.js";
import { TieringService } from "./tiering.service.js";

const tenant = { schema: tenantRefSchema };
const name = { schema: streamNameSchema };
const tierBody = z
  .strictObject({
    /** Tier messages older than this now, instead of the stream's policy (never inside the dedup window). */
    older_than_seconds: z.number().int().min(0).optional(),
    /** Tier even when fewer than the policy's minimum are due. */
    min_messages: z.number().int().min(1).optional(),
  })
  .optional();

/** Runs the tiering or retention job for one stream now, and answers what it did. */
@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/streams/:tenant/:name")
@UseGuards(OperatorGuard)
export class AdminTieringController {
  constructor(
    private readonly streams: StreamsService,
    private readonly access: OperatorAccess,
    private readonly tiering: TieringService,
  ) {}

  @Post("tier")
  @HttpCode(200)
  @ApiOperation({ summary: "Move the stream's old messages to the object store now" })
  async tier(
    @Param("tenant", tenant) t: string,
    @Param("name", name) stream: string,
    @Body({ schema: tierBody }) body: z.infer<typeof tierBody>,
  ) {
    const info = await this.streams.get(await this.access.principal(t), stream);
    const r = await this.tiering.tierOne(info.id, {
      olderThanSeconds: body?.older_than_seconds,
      minMessages: body?.min_messages,
    });
    return {
      segments: r.segments,
      messages: r.messages,
      object_bytes: r.bytes,
      orphans_deleted: r.orphans.deleted,
    };
  }

  @Post("retention")
  @HttpCode(200)
  @ApiOperation({ summary: "Apply the stream's limits across both tiers now" })
  async retention(@Param("tenant", tenant) t: string, @Param("name", name) stream: string) {
    const info = await this.streams.get(await this.access.principal(t), stream);
    const r = await this.tiering.retainOne({
      id: info.id,
      tenantId: info.tenantId,
      name: info.name,
    });
    return { messages: r.messages, orphans_deleted: r.orphans.deleted };
  }
}
