import { Module } from "@nestjs/common";
import { HealthModule } from "../health/health.module.js";
import { AdminOverviewController } from "./admin-overview.controller.js";
import { AdminTenantsController } from "./admin-tenants.controller.js";
import { OperatorGuard } from "./operator.guard.js";

/** The operator API under /v1/admin. */
@Module({
  imports: [HealthModule],
  controllers: [AdminTenantsController, AdminOverviewController],
  providers: [OperatorGuard],
})
export class AdminModule {}
