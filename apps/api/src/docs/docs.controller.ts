import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  concatBytes,
  docChangesQuery,
  docGetQuery,
  type DocInit,
  docInitialJson,
  docListQuery,
  type DocListQuery,
  DocsService,
  docSyncStatusQuery,
  documentUrl,
  parseHeads,
  parseInput,
  type Principal,
  TenantQuotaGuard,
  UnsupportedMediaType,
} from "@strata/core";
import { type FastifyReply } from "fastify";
import { z } from "zod";
import { CurrentPrincipal, TenantKeyGuard } from "../tenants/tenant-key.guard.js";
import { asBuffer, docJson, headsHeader } from "./docs.json.js";

const OCTETS = "application/octet-stream";

/** `{id}` is an automerge-repo document id or an `automerge:` URL; key name patterns apply to the id. */
@ApiTags("docs")
@ApiBearerAuth("tenant-key")
@Controller("v1/docs")
@UseGuards(TenantKeyGuard)
export class DocsController {
  constructor(
    private readonly docs: DocsService,
    private readonly quotas: TenantQuotaGuard,
  ) {}

  @Post()
  @ApiOperation({
    summary:
      "Create a document: empty, from a JSON object (Automerge.from), or from binary (a saved document or changes)",
  })
  async create(
    @CurrentPrincipal() p: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const init = initFrom(body);
    const bytes = init.kind === "binary" ? init.bytes.byteLength : 0;
    await this.quotas.admitWrite(p.tenant.id, { op: "doc_changes", bytes });
    const { documentId, heads } = await this.docs.create(p, init);
    void reply.status(201).header("location", `/v1/docs/${documentId}`);
    return { document_id: documentId, url: documentUrl(documentId), heads };
  }

  @Get()
  @ApiOperation({ summary: "List documents by id: ?limit=&after= (next_after is the cursor)" })
  async list(@CurrentPrincipal() p: Principal, @Query({ schema: docListQuery }) q: DocListQuery) {
    const items = await this.docs.list(p, q);
    const last = items.length === q.limit ? items[items.length - 1] : undefined;
    return { items: items.map(docJson), next_after: last?.documentId ?? null };
  }

  @Get(":id")
  @ApiOperation({
    summary:
      "The document as JSON ({…, content}), ?heads= for a past version; Accept: application/octet-stream gives Automerge.save bytes",
  })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param("id") id: string,
    @Query({ schema: docGetQuery }) q: z.infer<typeof docGetQuery>,
    @Headers("accept") accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const heads = parseHeads(q.heads, "query.heads");
    if (accept?.includes(OCTETS) && !accept.includes("application/json")) {
      const saved =
        heads.length > 0 ? await this.docs.saveAt(p, id, heads) : await this.docs.save(p, id);
      void reply.header("content-type", OCTETS).header("strata-heads", headsHeader(saved.heads));
      return asBuffer(saved.bytes);
    }
    const info = await this.docs.info(p, id);
    const content = await this.docs.view(p, id, heads.length > 0 ? heads : undefined);
    return { ...docJson(info), ...(heads.length > 0 ? { heads } : {}), content };
  }

  @Get(":id/heads")
  @ApiOperation({ summary: "The document's durable heads (hex change hashes)" })
  async heads(@CurrentPrincipal() p: Principal, @Param("id") id: string) {
    return { heads: await this.docs.heads(p, id) };
  }

  @Get(":id/changes")
  @ApiOperation({
    summary:
      "Changes after ?since=<heads> (default: all), as a concatenation of Automerge change chunks (Automerge.loadIncremental takes it)",
  })
  async changes(
    @CurrentPrincipal() p: Principal,
    @Param("id") id: string,
    @Query({ schema: docChangesQuery }) q: z.infer<typeof docChangesQuery>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const since = parseHeads(q.since, "query.since");
    const { changes, heads } = await this.docs.changesSince(p, id, since);
    void reply
      .header("content-type", OCTETS)
      .header("strata-heads", headsHeader(heads))
      .header("strata-change-count", String(changes.length));
    return asBuffer(concatBytes(changes));
  }

  @Post(":id/changes")
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Apply binary changes (concatenated change chunks, or a saved document); durable when answered",
  })
  async apply(@CurrentPrincipal() p: Principal, @Param("id") id: string, @Body() body: unknown) {
    if (!Buffer.isBuffer(body)) {
      throw new UnsupportedMediaType(
        "Send Automerge changes as binary (Content-Type: application/octet-stream).",
      );
    }
    await this.quotas.admitWrite(p.tenant.id, { op: "doc_changes", bytes: body.byteLength });
    return this.docs.applyBody(p, id, body);
  }

  @Get(":id/sync-status")
  @ApiOperation({
    summary: "Whether ?heads= are durable here (automerge-repo #337), and the durable heads",
  })
  async syncStatus(
    @CurrentPrincipal() p: Principal,
    @Param("id") id: string,
    @Query({ schema: docSyncStatusQuery }) q: z.infer<typeof docSyncStatusQuery>,
  ) {
    return this.docs.syncStatus(p, id, parseHeads(q.heads, "query.heads"));
  }

  @Delete(":id")
  @HttpCode(204)
  async remove(@CurrentPrincipal() p: Principal, @Param("id") id: string) {
    await this.docs.delete(p, id);
  }
}

/** Empty body: empty document; JSON: initial content; anything else: Automerge bytes. */
function initFrom(body: unknown): DocInit {
  if (body === undefined || body === null) return { kind: "empty" };
  if (Buffer.isBuffer(body))
    return body.byteLength === 0 ? { kind: "empty" } : { kind: "binary", bytes: body };
  return { kind: "json", value: parseInput(docInitialJson, body) };
}
