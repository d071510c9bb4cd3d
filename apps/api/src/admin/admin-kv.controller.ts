import { Controller, Get, Param, Query, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  bucketNameSchema,
  type Bucket,
  KeyNotFound,
  kvKeySchema,
  kvPrefixSchema,
  KvService,
  TenantAdmin,
} from "@strata/core";
import { z } from "zod";
import { bucketJson, entryJson, eventJson } from "../kv/kv.json.js";
import { OperatorAccess, operatorPrincipal, tenantRefSchema } from "./operator-access.js";
import { OperatorGuard } from "./operator.guard.js";

const tenant = { schema: tenantRefSchema };
const bucket = { schema: bucketNameSchema };
const bucketsQuery = z.strictObject({ tenant: tenantRefSchema.optional() });
const keysQuery = z.strictObject({
  prefix: kvPrefixSchema.optional(),
  after: kvKeySchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const entryQuery = z.strictObject({
  key: kvKeySchema,
  history: z.coerce.number().int().min(0).max(200).default(20),
});
/** Tenants looked at when listing buckets of every tenant: a dashboard view, not an export. */
const TENANT_SCAN = 200;

/**
 * The operator's KV browser: buckets, keys by prefix a page at a time, one
 * key's value and history. Reads go through KvService as the tenant (so the
 * same committed state a tenant reads); the live watch is AdminKvWatchController.
 */
@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/kv")
@UseGuards(OperatorGuard)
export class AdminKvController {
  constructor(
    private readonly kv: KvService,
    private readonly access: OperatorAccess,
    private readonly tenants: TenantAdmin,
  ) {}

  @Get()
  @ApiOperation({ summary: "KV buckets of one tenant (?tenant=) or of every tenant" })
  async buckets(@Query({ schema: bucketsQuery }) q: z.infer<typeof bucketsQuery>) {
    const tenants = q.tenant
      ? [await this.access.tenant(q.tenant)]
      : await this.tenants.listTenants({ limit: TENANT_SCAN });
    const lists = await Promise.all(
      tenants.map(async (t) => {
        const items = await this.kv.listBuckets(operatorPrincipal(t), { limit: 1000 });
        return items.map((b: Bucket) => ({ tenant: { id: t.id, name: t.name }, ...bucketJson(b) }));
      }),
    );
    return { items: lists.flat() };
  }

  @Get(":tenant/:bucket")
  @ApiOperation({ summary: "A bucket's config, counters and owner" })
  async bucket(@Param("tenant", tenant) t: string, @Param("bucket", bucket) name: string) {
    const p = await this.access.principal(t);
    const b = await this.kv.getBucket(p, name);
    return {
      tenant: p.tenant,
      ...bucketJson(b),
      owner: b.owner ? { node_id: b.owner.nodeId, epoch: b.owner.epoch } : null,
    };
  }

  @Get(":tenant/:bucket/keys")
  @ApiOperation({ summary: "Keys in byte order, by prefix, one page at a time (next_after)" })
  async keys(
    @Param("tenant", tenant) t: string,
    @Param("bucket", bucket) name: string,
    @Query({ schema: keysQuery }) q: z.infer<typeof keysQuery>,
  ) {
    const p = await this.access.principal(t);
    const entries = await this.kv.list(p, name, { ...q, keys_only: true });
    const last = entries.length === q.limit ? entries[entries.length - 1] : undefined;
    return { items: entries.map((e) => entryJson(e, false)), next_after: last?.key ?? null };
  }

  @Get(":tenant/:bucket/entry")
  @ApiOperation({
    summary: "One key: its current value (null when deleted) and its kept revisions, newest first",
  })
  async entry(
    @Param("tenant", tenant) t: string,
    @Param("bucket", bucket) name: string,
    @Query({ schema: entryQuery }) q: z.infer<typeof entryQuery>,
  ) {
    const p = await this.access.principal(t);
    const [current, history] = await Promise.all([
      this.kv.get(p, name, q.key).catch((err: unknown) => {
        if (err instanceof KeyNotFound) return null;
        throw err;
      }),
      q.history > 0 ? this.kv.history(p, name, q.key, { limit: q.history }) : [],
    ]);
    return {
      key: q.key,
      entry: current ? entryJson(current) : null,
      history: history.map(eventJson),
    };
  }
}
