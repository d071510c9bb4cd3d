import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Put,
  Query,
  Res,
  UseGuards,
} from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  bucketConfigBody,
  type BucketConfigBody,
  bucketListQuery,
  bucketNameSchema,
  KvService,
  type Principal,
} from "@strata/core";
import { type FastifyReply } from "fastify";
import { z } from "zod";
import { CurrentPrincipal, TenantKeyGuard } from "../tenants/tenant-key.guard.js";
import { bucketJson } from "./kv.json.js";

const bucketParam = { schema: bucketNameSchema };
const optionalConfig = bucketConfigBody.optional().transform((b) => b ?? {});

@ApiTags("kv")
@ApiBearerAuth("tenant-key")
@Controller("v1/kv")
@UseGuards(TenantKeyGuard)
export class KvBucketsController {
  constructor(private readonly kv: KvService) {}

  @Put(":bucket")
  @ApiOperation({
    summary:
      "Create a bucket or update its config (history, ttl_seconds, max_value_bytes, max_bytes)",
  })
  async put(
    @CurrentPrincipal() p: Principal,
    @Param("bucket", bucketParam) name: string,
    @Body({ schema: optionalConfig }) body: BucketConfigBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { bucket, created } = await this.kv.putBucket(p, name, body);
    void reply.status(created ? 201 : 200);
    return bucketJson(bucket);
  }

  @Get()
  async list(
    @CurrentPrincipal() p: Principal,
    @Query({ schema: bucketListQuery }) q: z.infer<typeof bucketListQuery>,
  ) {
    const items = await this.kv.listBuckets(p, q);
    const last = items.length === q.limit ? items[items.length - 1] : undefined;
    return { items: items.map(bucketJson), next_after: last?.name ?? null };
  }

  @Get(":bucket")
  @ApiOperation({
    summary: "A bucket's config and counters (keys, bytes, last revision), and its owner",
  })
  async get(@CurrentPrincipal() p: Principal, @Param("bucket", bucketParam) name: string) {
    const info = await this.kv.getBucket(p, name);
    return {
      ...bucketJson(info),
      owner: info.owner ? { node_id: info.owner.nodeId, epoch: info.owner.epoch } : null,
    };
  }

  @Delete(":bucket")
  @HttpCode(204)
  async remove(@CurrentPrincipal() p: Principal, @Param("bucket", bucketParam) name: string) {
    await this.kv.deleteBucket(p, name);
  }
}
