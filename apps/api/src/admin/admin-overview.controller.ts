import { Controller, Get, Inject, UseGuards } from "@nestjs/common";
import { ApiBearerAuth, ApiOperation, ApiTags } from "@nestjs/swagger";
import { TenantAdmin } from "@strata/core";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { ReadinessProbe } from "../health/readiness.js";
import { OperatorGuard } from "./operator.guard.js";

@ApiTags("admin")
@ApiBearerAuth("operator")
@Controller("v1/admin/overview")
@UseGuards(OperatorGuard)
export class AdminOverviewController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly readiness: ReadinessProbe,
    private readonly admin: TenantAdmin,
  ) {}

  @Get()
  @ApiOperation({ summary: "This node, its readiness and the tenant count" })
  async overview() {
    const { node } = this.runtime;
    const [readiness, tenants] = await Promise.all([
      this.readiness.check(),
      this.admin.countTenants(),
    ]);
    return {
      node: {
        id: node.identity.id,
        version: node.version,
        started_at: node.startedAt.toISOString(),
        roles: node.roles,
      },
      ready: readiness.ready,
      checks: readiness.checks,
      tenants,
    };
  }
}
