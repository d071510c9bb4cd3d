import { Module } from "@nestjs/common";
import { HealthModule } from "../health/health.module.js";
import { KvModule } from "../kv/kv.module.js";
import { AdminInventoryController } from "./admin-inventory.controller.js";
import { AdminInventoryPg } from "./admin-inventory.pg.js";
import { AdminKvWatchController } from "./admin-kv-watch.controller.js";
import { AdminKvController } from "./admin-kv.controller.js";
import { AdminStreamDetailController } from "./admin-stream-detail.controller.js";
import {
  AdminThroughputController,
  InternalThroughputController,
} from "./admin-throughput.controller.js";
import { AdminTrafficController, InternalTrafficController } from "./admin-traffic.controller.js";
import { NodeFanOut } from "./node-fan-out.js";
import { OperatorAccess } from "./operator-access.js";
import { ThroughputSampler } from "./throughput-sampler.js";
import { AdminAlertsController } from "./admin-alerts.controller.js";
import { DocsModule } from "../docs/docs.module.js";
import { AdminDocsController } from "./admin-docs.controller.js";
import { AdminClusterController } from "./admin-cluster.controller.js";
import { AdminStreamsController } from "./admin-streams.controller.js";
import { AdminOverviewController } from "./admin-overview.controller.js";
import { AdminTenantsController } from "./admin-tenants.controller.js";
import { OperatorGuard } from "./operator.guard.js";
import { AdminTieringController } from "../tiering/admin-tiering.controller.js";

/** The operator API under /v1/admin. */
@Module({
  imports: [HealthModule, KvModule, DocsModule],
  controllers: [
    AdminTrafficController,
    AdminTenantsController,
    AdminOverviewController,
    AdminClusterController,
    AdminAlertsController,
    AdminDocsController,
    AdminStreamsController,
    AdminStreamDetailController,
    AdminTieringController,
    AdminKvController,
    AdminKvWatchController,
    AdminInventoryController,
    AdminThroughputController,
    InternalThroughputController,
    InternalTrafficController,
  ],
  providers: [OperatorGuard, OperatorAccess, AdminInventoryPg, ThroughputSampler, NodeFanOut],
})
export class AdminModule {}
