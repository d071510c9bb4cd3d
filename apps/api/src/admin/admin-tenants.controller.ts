import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type CreateKeyBody,
  createKeyBody,
  type CreateTenantBody,
  createTenantBody,
  KeyAuthenticator,
  type KeyId,
  keyIdParam,
  type PageQuery,
  pageQuery,
  type PatchTenantBody,
  patchTenantBody,
  TenantAdmin,
  type TenantId,
  tenantIdParam,
} from "@strata/core";
import { CredentialResolver } from "../tenants/credentials.js";
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
    private readonly authenticator: KeyAuthenticator,
    private readonly credentials: CredentialResolver,
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
    return tenantJson(await this.admin.getTenant(id));
  }

  @Patch(":id")
  @ApiOperation({ summary: "Rename, suspend or reactivate a tenant" })
  async update(
    @Param("id", { schema: tenantIdParam }) id: TenantId,
    @Body({ schema: patchTenantBody }) body: PatchTenantBody,
  ) {
    const tenant = await this.admin.updateTenant(ACTOR, id, body);
    this.authenticator.invalidate();
    this.credentials.invalidate();
    return tenantJson(tenant);
  }

  @Delete(":id")
  @HttpCode(204)
  @ApiOperation({ summary: "Delete a tenant and everything it owns" })
  async remove(@Param("id", { schema: tenantIdParam }) id: TenantId) {
    await this.admin.deleteTenant(ACTOR, id);
    this.authenticator.invalidate();
    this.credentials.invalidate();
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
  @ApiOperation({ summary: "Revoke a key (takes effect on every node within STRATA_KEY_CACHE_MS)" })
  async revokeKey(
    @Param("id", { schema: tenantIdParam }) id: TenantId,
    @Param("keyId", { schema: keyIdParam }) keyId: KeyId,
  ) {
    const key = await this.admin.revokeKey(ACTOR, id, keyId);
    this.authenticator.invalidate();
    this.credentials.invalidate();
    return keyJson(key);
  }
}
