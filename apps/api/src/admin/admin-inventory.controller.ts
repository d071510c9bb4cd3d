import { Controller, Get, Query, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { z } from "zod";
import { AdminInventoryPg, type TenantInventory } from "./admin-inventory.pg.js";
import { OperatorAccess, tenantRefSchema } from "./operator-access.js";
import { OperatorGuard } from "./operator.guard.js";

const inventoryQuery = z.strictObject({
  tenant: tenantRefSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

function inventoryJson(i: TenantInventory) {
  return {
    tenant: { id: i.tenantId, name: i.tenantName, status: i.status },
    streams: i.streams,
    messages: i.messages,
    stream_bytes: i.streamBytes,
    buckets: i.buckets,
    keys: i.keys,
    kv_bytes: i.kvBytes,
    docs: i.docs,
    doc_bytes: i.docBytes,
    tiered_bytes: i.tieredBytes,
    bytes: i.streamBytes + i.kvBytes + i.docBytes,
  };
}

@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/inventory")
@UseGuards(OperatorGuard)
export class AdminInventoryController {
  constructor(
    private readonly inventory: AdminInventoryPg,
    private readonly access: OperatorAccess,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      "What each tenant stores (streams, messages, buckets, keys, docs, bytes), largest first, with totals",
  })
  async list(@Query({ schema: inventoryQuery }) q: z.infer<typeof inventoryQuery>) {
    const tenantId = q.tenant ? (await this.access.tenant(q.tenant)).id : undefined;
    const items = (await this.inventory.byTenant({ tenantId, limit: q.limit })).map(inventoryJson);
    const sum = (f: (i: ReturnType<typeof inventoryJson>) => number) =>
      items.reduce((a, i) => a + f(i), 0);
    return {
      items,
      totals: {
        streams: sum((i) => i.streams),
        messages: sum((i) => i.messages),
        buckets: sum((i) => i.buckets),
        keys: sum((i) => i.keys),
        docs: sum((i) => i.docs),
        // Where the bytes are: PostgreSQL (hot) and the object store (tiered).
        hot_bytes: sum((i) => i.bytes),
        tiered_bytes: sum((i) => i.tiered_bytes),
      },
    };
  }
}
