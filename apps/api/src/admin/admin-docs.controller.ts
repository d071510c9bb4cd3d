import { Controller, Get, Inject, Param, Query, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { documentUrl, type DocumentId, DocsService, pgText } from "@strata/core";
import { DocAdminPg, type Pool } from "@strata/db";
import { z } from "zod";
import { PG_POOL } from "../config/runtime.js";
import { docJson } from "../docs/docs.json.js";
import { OperatorAccess, tenantRefSchema } from "./operator-access.js";
import { OperatorGuard } from "./operator.guard.js";

const docsQuery = z.strictObject({
  tenant: pgText(z.string().max(200)).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * Documents across tenants: size, heads, change rows waiting for compaction
 * vs the snapshot (and its tier: hot in Postgres, cold in the object store), owner.
 */
@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/docs")
@UseGuards(OperatorGuard)
export class AdminDocsController {
  private readonly docs: DocAdminPg;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    private readonly documents: DocsService,
    private readonly access: OperatorAccess,
  ) {
    this.docs = new DocAdminPg(pool);
  }

  @Get(":tenant/:id")
  @ApiOperation({
    summary: "One document of a tenant as JSON ({…, content}), as the tenant reads it",
  })
  async one(@Param("tenant", { schema: tenantRefSchema }) t: string, @Param("id") id: string) {
    const p = await this.access.principal(t);
    const info = await this.documents.info(p, id);
    const content = await this.documents.view(p, id, undefined);
    return { tenant: p.tenant, ...docJson(info), content };
  }

  @Get()
  @ApiOperation({
    summary:
      "Documents across tenants with size, heads, change rows vs snapshot (and its tier), and owner",
  })
  async list(@Query({ schema: docsQuery }) q: z.infer<typeof docsQuery>) {
    const rows = await this.docs.list({ tenant: q.tenant, afterId: q.after, limit: q.limit });
    const last = rows.length === q.limit ? rows[rows.length - 1] : undefined;
    return {
      items: rows.map((d) => ({
        id: d.id,
        tenant_id: d.tenantId,
        tenant: d.tenantName,
        document_id: d.documentId,
        url: documentUrl(d.documentId as DocumentId),
        heads: d.heads,
        bytes: d.bytes,
        changes: d.changes,
        change_bytes: d.changeBytes,
        snapshots: d.snapshots,
        snapshot_bytes: d.snapshotBytes,
        // null until the first snapshot (the query's outer join alone would say "hot").
        snapshot_tier: d.snapshots > 0 ? d.snapshotTier : null,
        owner: d.owner ? { node_id: d.owner.nodeId, epoch: d.owner.epoch } : null,
        updated_at: d.updatedAt.toISOString(),
      })),
      next_after: last?.id ?? null,
    };
  }
}
