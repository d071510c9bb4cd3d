import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseGuards,
} from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type CreateKeyBody,
  createKeyBody,
  type CreateTenantBody,
  createTenantBody,
  type KeyId,
  keyIdParam,
  type PageQuery,
  pageQuery,
  type PatchTenantBody,
  patchTenantBody,
  TenantAdmin,
  type TenantId,
  tenantIdParam,
  TenantQuotaGuard,
  type TenantQuotas,
  tenantQuotasSchema,
} from "@strata/core";
import { AccessWatch } from "../tenants/access-watch.js";
import { keyJson, tenantJson } from "../tenants/tenant.json.js";
import { OperatorGuard } from "./operator.guard.js";

const ACTOR = "operator";

@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/tenants")
@UseGuards(OperatorGuard)
export class AdminTenantsController {
  constructor(
    private readonly admin: TenantAdmin,
    private readonly access: AccessWatch,
    private readonly quotas: TenantQuotaGuard,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: "Create a tenant" })
  async create(@Body({ schema: createTenantBody }) body: CreateTenantBody) {
    return tenantJson(await this.admin.createTenant(ACTOR, body.name));
  }

  @Get()
  @ApiOperation({ summary: "List tenants by name, a page at a time (`after` = last name seen)" })
  async list(@Query({ schema: pageQuery }) page: PageQuery) {
    const items = await this.admin.listTenants(page);
    const last = items.length === page.limit ? items[items.length - 1] : undefined;
    return { items: items.map(tenantJson), next_after: last?.name ?? null };
  }

  @Get(":id")
  async get(@Param("id", { schema: tenantIdParam }) id: TenantId) {
    const tenant = tenantJson(await this.admin.getTenant(id));
    return { ...tenant, ...(await this.quotasJson(id)) };
  }

  @Get(":id/quotas")
  @ApiOperation({ summary: "A tenant's quotas and usage (rate and connections: this node only)" })
  async getQuotas(@Param("id", { schema: tenantIdParam }) id: TenantId) {
    return this.quotasJson(id);
  }

  @Put(":id/quotas")
  @ApiOperation({
    summary:
      "Replace a tenant's quotas (messages_per_second, stored_bytes, connections; absent = unlimited)",
  })
  async putQuotas(
    @Param("id", { schema: tenantIdParam }) id: TenantId,
    @Body({ schema: tenantQuotasSchema }) body: TenantQuotas,
  ) {
    await this.admin.setQuotas(ACTOR, id, body);
    this.quotas.invalidate(id);
    return this.quotasJson(id);
  }

  private async quotasJson(id: TenantId) {
    const quotas = await this.admin.getQuotas(id);
    const usage = this.quotas.usage(id);
    return {
      quotas,
      usage: {
        messages_per_second: usage.messagesPerSecond,
        stored_bytes: await this.admin.storedBytes(id),
        connections: usage.connections,
      },
    };
  }

  @Patch(":id")
  @ApiOperation({
    summary:
      "Rename, suspend or reactivate a tenant (suspending ends its open connections within 5 s)",
  })
  async update(
    @Param("id", { schema: tenantIdParam }) id: TenantId,
    @Body({ schema: patchTenantBody }) body: PatchTenantBody,
  ) {
    const tenant = await this.admin.updateTenant(ACTOR, id, body);
    this.access.changed({ tenantId: id });
    return tenantJson(tenant);
  }

  @Delete(":id")
  @HttpCode(204)
  @ApiOperation({ summary: "Delete a tenant and everything it owns" })
  async remove(@Param("id", { schema: tenantIdParam }) id: TenantId) {
    await this.admin.deleteTenant(ACTOR, id);
    this.access.changed({ tenantId: id });
  }

  @Post(":id/keys")
  @HttpCode(201)
  @ApiOperation({ summary: "Create an API key; the secret is in this response only" })
  async createKey(
    @Param("id", { schema: tenantIdParam }) id: TenantId,
    @Body({ schema: createKeyBody }) body: CreateKeyBody,
  ) {
    const { key, secret } = await this.admin.createKey(ACTOR, id, body);
    return { ...keyJson(key), secret };
  }

  @Get(":id/keys")
  async listKeys(@Param("id", { schema: tenantIdParam }) id: TenantId) {
    return { items: (await this.admin.listKeys(id)).map(keyJson) };
  }

  @Delete(":id/keys/:keyId")
  @ApiOperation({
    summary:
      "Revoke a key: refused on every node within STRATA_KEY_CACHE_MS (at once where the bus reaches); open WebSocket and SSE connections end within 5 s",
  })
  async revokeKey(
    @Param("id", { schema: tenantIdParam }) id: TenantId,
    @Param("keyId", { schema: keyIdParam }) keyId: KeyId,
  ) {
    const key = await this.admin.revokeKey(ACTOR, id, keyId);
    this.access.changed({ tenantId: id, keyId });
    return keyJson(key);
  }
}
