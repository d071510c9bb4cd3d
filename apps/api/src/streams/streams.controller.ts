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
  Res,
  UseGuards,
} from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  appendQuery,
  consumerAckBody,
  consumerBody,
  consumerNameSchema,
  DEFAULT_STREAM_CONFIG,
  deleteUpToQuery,
  type Principal,
  readQuery,
  seqSchema,
  streamConfigBody,
  type StreamConfigBody,
  streamListQuery,
  streamNameSchema,
  StreamsService,
} from "@strata/core";
import { type FastifyReply } from "fastify";
import { z } from "zod";
import { CurrentPrincipal, TenantKeyGuard } from "../tenants/tenant-key.guard.js";
import { type AppendHttpHeaders, expectedLastSeq, parseAppendBody } from "./append-request.js";
import { appendJson, consumerJson, messageJson, streamJson } from "./stream.json.js";

const name = { schema: streamNameSchema };
const seq = { schema: seqSchema };
const consumer = { schema: consumerNameSchema };
const optionalConfig = streamConfigBody.optional().transform((b) => b ?? {});

@ApiTags("streams")
@ApiBearerAuth("tenant-key")
@Controller("v1/streams")
@UseGuards(TenantKeyGuard)
export class StreamsController {
  constructor(private readonly streams: StreamsService) {}

  @Put(":name")
  @ApiOperation({
    summary: "Create a stream or update its config (omitted fields keep their value)",
  })
  async put(
    @CurrentPrincipal() p: Principal,
    @Param("name", name) streamName: string,
    @Body({ schema: optionalConfig }) body: StreamConfigBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { stream, created } = await this.streams.put(p, streamName, body, DEFAULT_STREAM_CONFIG);
    void reply.status(created ? 201 : 200);
    return streamJson(stream);
  }

  @Get()
  async list(
    @CurrentPrincipal() p: Principal,
    @Query({ schema: streamListQuery }) q: z.infer<typeof streamListQuery>,
  ) {
    const items = await this.streams.list(p, q);
    const last = items.length === q.limit ? items[items.length - 1] : undefined;
    return { items: items.map(streamJson), next_after: last?.name ?? null };
  }

  @Get(":name")
  async get(@CurrentPrincipal() p: Principal, @Param("name", name) streamName: string) {
    const info = await this.streams.get(p, streamName);
    return {
      ...streamJson(info),
      owner: info.owner ? { node_id: info.owner.nodeId, epoch: info.owner.epoch } : null,
      consumers: info.consumers.map((c) => consumerJson(c, info.lastSeq)),
    };
  }

  @Delete(":name")
  @HttpCode(204)
  async remove(@CurrentPrincipal() p: Principal, @Param("name", name) streamName: string) {
    await this.streams.delete(p, streamName);
  }

  @Post(":name/messages")
  @ApiOperation({
    summary:
      "Append one message (raw body, or a JSON envelope) or a batch ({messages: [...]}, all or nothing)",
  })
  async append(
    @CurrentPrincipal() p: Principal,
    @Param("name", name) streamName: string,
    @Body() body: unknown,
    @Headers() headers: AppendHttpHeaders,
    @Query({ schema: appendQuery }) q: z.infer<typeof appendQuery>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const messages = parseAppendBody(body, headers);
    const result = await this.streams.append(p, streamName, messages, {
      expectedLastSeq: expectedLastSeq(headers),
      ack: q.ack,
    });
    void reply.status(result.ack === "none" ? 202 : 201);
    return appendJson(result);
  }

  @Get(":name/messages")
  @ApiOperation({
    summary: "Read messages from a seq; `wait` long-polls when there is nothing yet",
  })
  async read(
    @CurrentPrincipal() p: Principal,
    @Param("name", name) streamName: string,
    @Query({ schema: readQuery }) q: z.infer<typeof readQuery>,
  ) {
    const from = q.from_seq ?? 1;
    const messages = await this.streams.read(p, streamName, from, q.limit, q.wait);
    const next = messages.length ? messages[messages.length - 1]!.seq + 1 : from;
    return { messages: messages.map(messageJson), next_seq: next };
  }

  @Get(":name/messages/:seq")
  @ApiOperation({
    summary:
      "One message: its raw value, metadata in Strata-* headers (JSON with Accept: application/json)",
  })
  async readOne(
    @CurrentPrincipal() p: Principal,
    @Param("name", name) streamName: string,
    @Param("seq", seq) n: number,
    @Headers("accept") accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const m = await this.streams.readOne(p, streamName, n);
    if (accept?.includes("application/json")) return messageJson(m);
    void reply.header("content-type", "application/octet-stream");
    void reply.header("strata-seq", String(m.seq)).header("strata-timestamp", m.ts.toISOString());
    if (m.msgId) void reply.header("strata-msg-id", m.msgId);
    for (const [k, v] of Object.entries(m.headers ?? {}))
      void reply.header(`strata-header-${k}`, v);
    return Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength);
  }

  @Delete(":name/messages/:seq")
  @HttpCode(204)
  async deleteOne(
    @CurrentPrincipal() p: Principal,
    @Param("name", name) streamName: string,
    @Param("seq", seq) n: number,
  ) {
    await this.streams.deleteOne(p, streamName, n);
  }

  @Delete(":name/messages")
  @ApiOperation({
    summary: "Delete every message with seq ≤ up_to_seq (required; POST …/purge removes all)",
  })
  async deleteUpTo(
    @CurrentPrincipal() p: Principal,
    @Param("name", name) streamName: string,
    @Query({ schema: deleteUpToQuery.required() }) q: { up_to_seq: number },
  ) {
    const r = await this.streams.deleteUpTo(p, streamName, q.up_to_seq);
    return { deleted: r.messages, first_seq: r.firstSeq };
  }

  @Post(":name/purge")
  @HttpCode(200)
  async purge(@CurrentPrincipal() p: Principal, @Param("name", name) streamName: string) {
    const r = await this.streams.deleteUpTo(p, streamName, undefined);
    return { deleted: r.messages, first_seq: r.firstSeq };
  }

  @Put(":name/consumers/:consumer")
  @ApiOperation({ summary: "Create a durable consumer (or move its position with acked_seq)" })
  async putConsumer(
    @CurrentPrincipal() p: Principal,
    @Param("name", name) streamName: string,
    @Param("consumer", consumer) consumerName: string,
    @Body({ schema: consumerBody.optional().transform((b) => b ?? {}) })
    body: z.infer<typeof consumerBody>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { consumer: c, created } = await this.streams.putConsumer(
      p,
      streamName,
      consumerName,
      body.acked_seq,
    );
    void reply.status(created ? 201 : 200);
    return consumerJson(c);
  }

  @Get(":name/consumers/:consumer")
  @ApiOperation({ summary: "A consumer's position and lag (head − acked)" })
  async getConsumer(
    @CurrentPrincipal() p: Principal,
    @Param("name", name) streamName: string,
    @Param("consumer", consumer) consumerName: string,
  ) {
    const { consumer: c, head } = await this.streams.getConsumer(p, streamName, consumerName);
    return consumerJson(c, head);
  }

  @Delete(":name/consumers/:consumer")
  @HttpCode(204)
  async deleteConsumer(
    @CurrentPrincipal() p: Principal,
    @Param("name", name) streamName: string,
    @Param("consumer", consumer) consumerName: string,
  ) {
    await this.streams.deleteConsumer(p, streamName, consumerName);
  }

  @Post(":name/consumers/:consumer/ack")
  @HttpCode(200)
  async ack(
    @CurrentPrincipal() p: Principal,
    @Param("name", name) streamName: string,
    @Param("consumer", consumer) consumerName: string,
    @Body({ schema: consumerAckBody }) body: z.infer<typeof consumerAckBody>,
  ) {
    return consumerJson(await this.streams.ackConsumer(p, streamName, consumerName, body.seq));
  }
}
