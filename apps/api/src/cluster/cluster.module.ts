import { Global, Module } from "@nestjs/common";
import {
  AlertStorePg,
  ClusterAdminPg,
  type Database,
  LeaseTablePg,
  NodeRegistryPg,
  PlacementPg,
  type Pool,
} from "@strata/db";
import { DATABASE, PG_POOL, RUNTIME, type Runtime } from "../config/runtime.js";
import { OpsMetrics } from "../metrics/ops-metrics.js";
import { CLUSTER_SECRET, clusterSecret } from "./cluster-secret.js";
import { HandOvers } from "./hand-overs.js";
import { ClusterGuard } from "./internal.controller.js";

/** The cluster's tables (nodes, leases, alerts), the secret nodes share, and the owners that can hand resources over. */
@Global()
@Module({
  providers: [
    {
      provide: NodeRegistryPg,
      useFactory: (pool: Pool) => new NodeRegistryPg(pool),
      inject: [PG_POOL],
    },
    {
      provide: LeaseTablePg,
      useFactory: (pool: Pool) => new LeaseTablePg(pool),
      inject: [PG_POOL],
    },
    { provide: PlacementPg, useFactory: (pool: Pool) => new PlacementPg(pool), inject: [PG_POOL] },
    {
      provide: ClusterAdminPg,
      useFactory: (pool: Pool) => new ClusterAdminPg(pool),
      inject: [PG_POOL],
    },
    {
      provide: AlertStorePg,
      useFactory: (db: Database) => new AlertStorePg(db),
      inject: [DATABASE],
    },
    {
      provide: CLUSTER_SECRET,
      useFactory: (rt: Runtime) => clusterSecret(rt.config.clusterSecret, rt.adminToken),
      inject: [RUNTIME],
    },
    ClusterGuard,
    HandOvers,
    OpsMetrics,
  ],
  exports: [
    NodeRegistryPg,
    LeaseTablePg,
    PlacementPg,
    ClusterAdminPg,
    AlertStorePg,
    CLUSTER_SECRET,
    ClusterGuard,
    HandOvers,
  ],
})
export class ClusterModule {}
