import { Controller, Get, Query, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { type AccessQuery, accessQuery, authorize, type Principal } from "@strata/core";
import { CurrentPrincipal, TenantKeyGuard } from "./tenant-key.guard.js";

@ApiTags("tenant")
@ApiBearerAuth("tenant-key")
@Controller("v1/whoami")
@UseGuards(TenantKeyGuard)
export class WhoamiController {
  @Get()
  @ApiOperation({ summary: "The tenant, key and scopes behind the bearer key" })
  whoami(@CurrentPrincipal() p: Principal) {
    return {
      tenant: { id: p.tenant.id, name: p.tenant.name },
      key: { id: p.keyId },
      scopes: p.scopes,
      patterns: p.patterns,
    };
  }

  @Get("access")
  @ApiOperation({
    summary: "Check whether the key may use a scope, optionally on a resource name (403 if not)",
  })
  access(@CurrentPrincipal() p: Principal, @Query({ schema: accessQuery }) q: AccessQuery) {
    authorize(p, q.scope, q.name);
    return { allowed: true, scope: q.scope, name: q.name ?? null };
  }
}
