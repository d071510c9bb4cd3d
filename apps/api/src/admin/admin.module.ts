import { Module } from "@nestjs/common";
import { HealthModule } from "../health/health.module.js";
import { AdminAlertsController } from "./admin-alerts.controller.js";
import { AdminClusterController } from "./admin-cluster.controller.js";
import { AdminStreamsController } from "./admin-streams.controller.js";
import { AdminOverviewController } from "./admin-overview.controller.js";
import { AdminTenantsController } from "./admin-tenants.controller.js";
import { OperatorGuard } from "./operator.guard.js";

/** The operator API under /v1/admin. */
@Module({
  imports: [HealthModule],
  controllers: [
    AdminTenantsController,
    AdminOverviewController,
    AdminClusterController,
    AdminAlertsController,
    AdminStreamsController,
  ],
  providers: [OperatorGuard],
})
export class AdminModule {}
