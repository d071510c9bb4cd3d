import { Global, Inject, Injectable, Module, type OnApplicationBootstrap } from "@nestjs/common";
import { ClusterStreamRouter, KvOwner, type ObjectStore } from "@strata/core";
import {
  AlertStorePg,
  ColdSegments,
  KvLogPg,
  type Pool,
  StreamCatalogPg,
  StreamRetentionPg,
  StreamTiererPg,
} from "@strata/db";
import { PG_POOL, RUNTIME, type Runtime } from "../config/runtime.js";
import { JOB_RUNNER } from "../jobs/jobs.module.js";
import { type JobRunner } from "../jobs/job-runner.js";
import { KvModule } from "../kv/kv.module.js";
import { OBJECT_STORE, ObjectStoreModule } from "./object-store.module.js";
import { tieringDefaults, TieringService } from "./tiering.service.js";

export { OBJECT_STORE, objectStoreFor } from "./object-store.module.js";

/** Schedules the `tiering` and `retention` queues on nodes with the worker role. */
@Injectable()
class TieringSchedule implements OnApplicationBootstrap {
  constructor(
    @Inject(JOB_RUNNER) private readonly jobs: JobRunner,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly tiering: TieringService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { roles, tiering } = this.runtime.config;
    if (!roles.includes("worker")) return;
    this.jobs.work("tiering", async () => void (await this.tiering.tierAll()));
    this.jobs.work("retention", async () => void (await this.tiering.retainAll()));
    await this.jobs.repeat("tiering", tiering.intervalMs);
    await this.jobs.repeat("retention", tiering.retentionIntervalMs);
  }
}

@Global()
@Module({
  imports: [ObjectStoreModule, KvModule],
  providers: [
    {
      provide: ColdSegments,
      useFactory: (store: ObjectStore, pool: Pool, rt: Runtime, alerts: AlertStorePg) =>
        new ColdSegments(store, pool, {
          cacheBytes: rt.config.tiering.cacheBytes,
          onUnreadable: (r) =>
            void alerts
              .raise({
                kind: "tier_corrupt",
                resource: `stream:${r.streamId}`,
                message: `A tiered object could not be read back: ${r.reason}`,
                details: { object_key: r.objectKey, reason: r.reason },
              })
              .catch(() => {}),
        }),
      inject: [OBJECT_STORE, PG_POOL, RUNTIME, AlertStorePg],
    },
    {
      provide: StreamTiererPg,
      useFactory: (pool: Pool, store: ObjectStore, rt: Runtime) =>
        new StreamTiererPg(pool, store, tieringDefaults(rt.config.tiering)),
      inject: [PG_POOL, OBJECT_STORE, RUNTIME],
    },
    {
      provide: TieringService,
      useFactory: (
        pool: Pool,
        store: ObjectStore,
        tierer: StreamTiererPg,
        catalog: StreamCatalogPg,
        router: ClusterStreamRouter,
        kvOwner: KvOwner,
        rt: Runtime,
      ) =>
        new TieringService(
          pool,
          store,
          tierer,
          new StreamRetentionPg(pool),
          catalog,
          router,
          { owner: kvOwner, log: new KvLogPg(pool) },
          rt.config.tiering.orphanGraceSeconds,
          { idleSeconds: rt.config.tiering.docIdleSeconds },
        ),
      inject: [
        PG_POOL,
        OBJECT_STORE,
        StreamTiererPg,
        StreamCatalogPg,
        ClusterStreamRouter,
        KvOwner,
        RUNTIME,
      ],
    },
    TieringSchedule,
  ],
  exports: [ObjectStoreModule, ColdSegments, StreamTiererPg, TieringService],
})
export class TieringModule {}
