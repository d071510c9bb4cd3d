import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseGuards,
} from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  bucketNameSchema,
  kvGetQuery,
  kvHistoryQuery,
  kvListQuery,
  KvService,
  kvTxnBody,
  type KvTxnBody,
  NotFound,
  type Principal,
  TenantQuotaGuard,
  txnFromBody,
} from "@strata/core";
import { type FastifyReply, type FastifyRequest } from "fastify";
import { z } from "zod";
import { CurrentPrincipal, TenantKeyGuard } from "../tenants/tenant-key.guard.js";
import { entryJson, etag, eventJson } from "./kv.json.js";
import { bodyBytes, keyFromUrl, preconditions, ttlHeader } from "./kv-request.js";

const bucketParam = { schema: bucketNameSchema };
type HttpHeaders = Record<string, string | string[] | undefined>;

/** Keys may contain `/`: the `keys/*` routes take the rest of the path (see keyFromUrl). */
@ApiTags("kv")
@ApiBearerAuth("tenant-key")
@Controller("v1/kv")
@UseGuards(TenantKeyGuard)
export class KvKeysController {
  constructor(
    private readonly kv: KvService,
    private readonly quotas: TenantQuotaGuard,
  ) {}

  @Get(":bucket/keys")
  @ApiOperation({ summary: "List live keys in key order: ?prefix=&after=&limit=&keys_only=" })
  async list(
    @CurrentPrincipal() p: Principal,
    @Param("bucket", bucketParam) bucket: string,
    @Query({ schema: kvListQuery }) q: z.infer<typeof kvListQuery>,
  ) {
    const items = await this.kv.list(p, bucket, q);
    const last = items.length === q.limit ? items[items.length - 1] : undefined;
    return { items: items.map((e) => entryJson(e, !q.keys_only)), next_after: last?.key ?? null };
  }

  @Put(":bucket/keys/*")
  @ApiOperation({
    summary:
      "Put a raw value; If-Match: <revision> (compare-and-swap), If-None-Match: * (create-only), Strata-TTL",
  })
  async put(
    @CurrentPrincipal() p: Principal,
    @Param("bucket", bucketParam) bucket: string,
    @Body() body: unknown,
    @Headers() headers: HttpHeaders,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = keyFromUrl(request);
    const value = bodyBytes(body);
    await this.quotas.admitWrite(p.tenant.id, { op: "kv_writes", bytes: value.byteLength });
    const { revision } = await this.kv.put(p, bucket, key, value, {
      ttlSeconds: ttlHeader(headers),
      compare: preconditions(key, headers),
    });
    void reply.header("etag", etag(revision)).header("strata-revision", String(revision));
    return { revision };
  }

  @Get(":bucket/keys/*")
  @ApiOperation({
    summary:
      "A key's raw value (JSON with Accept: application/json), revision in ETag; ?revision= reads history",
  })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param("bucket", bucketParam) bucket: string,
    @Query({ schema: kvGetQuery }) q: z.infer<typeof kvGetQuery>,
    @Headers("accept") accept: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = keyFromUrl(request);
    const e =
      q.revision === undefined
        ? await this.kv.get(p, bucket, key)
        : await this.kv.getAt(p, bucket, key, q.revision);
    void reply.header("etag", etag(e.revision)).header("strata-revision", String(e.revision));
    if ("createRevision" in e)
      void reply.header("strata-create-revision", String(e.createRevision));
    if (e.expiresAt) void reply.header("strata-expires-at", e.expiresAt.toISOString());
    if (accept?.includes("application/json")) {
      return "createRevision" in e ? entryJson(e) : eventJson(e);
    }
    const value = e.value ?? new Uint8Array();
    void reply.header("content-type", "application/octet-stream");
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }

  @Delete(":bucket/keys/*")
  @ApiOperation({ summary: "Delete a key (If-Match: <revision> makes it conditional)" })
  async remove(
    @CurrentPrincipal() p: Principal,
    @Param("bucket", bucketParam) bucket: string,
    @Headers() headers: HttpHeaders,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = keyFromUrl(request);
    const { revision } = await this.kv.delete(p, bucket, key, preconditions(key, headers));
    void reply.header("strata-revision", String(revision));
    return { revision };
  }

  @Post(":bucket/keys/*")
  @HttpCode(200)
  @ApiOperation({
    summary:
      "POST …/keys/{key}/touch: refresh the TTL (Strata-TTL, else the bucket default; 0 = never) without a new revision",
  })
  async touch(
    @CurrentPrincipal() p: Principal,
    @Param("bucket", bucketParam) bucket: string,
    @Headers() headers: HttpHeaders,
    @Req() request: FastifyRequest,
  ) {
    const path = (request.raw.url ?? "").split("?")[0]!;
    if (!path.endsWith("/touch")) throw new NotFound("route", `POST ${path}`);
    const key = keyFromUrl(request, "/touch");
    const { expiresAt } = await this.kv.touch(p, bucket, key, ttlHeader(headers));
    return { key, expires_at: expiresAt?.toISOString() ?? null };
  }

  @Get(":bucket/history/*")
  @ApiOperation({ summary: "A key's kept revisions, newest first: ?limit=&before_revision=" })
  async history(
    @CurrentPrincipal() p: Principal,
    @Param("bucket", bucketParam) bucket: string,
    @Query({ schema: kvHistoryQuery }) q: z.infer<typeof kvHistoryQuery>,
    @Req() request: FastifyRequest,
  ) {
    const key = keyFromUrl(request, "history");
    const items = await this.kv.history(p, bucket, key, {
      limit: q.limit,
      beforeRevision: q.before_revision,
    });
    return { items: items.map(eventJson) };
  }

  @Post(":bucket/txn")
  @HttpCode(200)
  @ApiOperation({
    summary:
      "If every compare holds (revision / exists / value per key), apply every write with one revision; else 412",
  })
  async txn(
    @CurrentPrincipal() p: Principal,
    @Param("bucket", bucketParam) bucket: string,
    @Body({ schema: kvTxnBody }) body: KvTxnBody,
  ) {
    const { compares, ops } = txnFromBody(body);
    if (ops.length > 0) {
      const bytes = ops.reduce((n, o) => n + (o.op === "put" ? o.value.byteLength : 0), 0);
      await this.quotas.admitWrite(p.tenant.id, { op: "kv_writes", count: ops.length, bytes });
    }
    const { revision } = await this.kv.txn(p, bucket, compares, ops);
    return { succeeded: true, revision };
  }
}
