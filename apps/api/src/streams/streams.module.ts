import { randomUUID } from "node:crypto";
import {
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from "@nestjs/common";
import {
  type Bus,
  type Clock,
  ClusterStreamRouter,
  type CommitStats,
  InProcessBus,
  StreamOwner,
  StreamsService,
  TenantQuotaGuard,
} from "@strata/core";
import {
  ColdSegments,
  ConsumerStorePg,
  type Database,
  LeaseTablePg,
  MessageLogPg,
  PlacementPg,
  type Pool,
  StreamCatalogPg,
} from "@strata/db";
import { BUS } from "../bus/bus-token.js";
import { RedisBus } from "../bus/redis-bus.js";
import { HttpMetrics } from "../metrics/http-metrics.js";
import { StreamMetrics } from "../metrics/stream-metrics.js";
import { CLUSTER_SECRET } from "../cluster/cluster-secret.js";
import { FENCE_EVENTS, type FenceEvents } from "../cluster/fence-events.js";
import { HttpForwarder } from "../cluster/http-forwarder.js";
import {
  InternalNodeController,
  InternalStreamsController,
} from "../cluster/internal.controller.js";
import { forwardRetries, ownerClaimer } from "../cluster/owner-claimer.js";
import { Rebalancer } from "../cluster/rebalancer.js";
import { ClusterMembership } from "../cluster/cluster-membership.js";
import { DATABASE, PG_POOL, RUNTIME, type Runtime } from "../config/runtime.js";
import { CLOCK } from "../database/database.module.js";
import { StreamEventsController } from "./stream-events.controller.js";
import { StreamsController } from "./streams.controller.js";

export { BUS };

function metricsFor(http: HttpMetrics) {
  const metrics = new StreamMetrics(http.registry);
  return (stats: CommitStats) => metrics.observe(stats);
}

/**
 * Age retention and eviction of idle streams, on timers; catalog changes
 * from every node; closes the bus at the end.
 */
@Injectable()
class OwnerHousekeeping implements OnModuleInit, OnApplicationShutdown {
  private timers: NodeJS.Timeout[] = [];
  private stopWatching: (() => void) | undefined;
  constructor(
    private readonly owner: StreamOwner,
    private readonly streams: StreamsService,
    @Inject(BUS) private readonly bus: Bus,
  ) {}
  async onModuleInit() {
    this.timers.push(setInterval(() => void this.owner.expireOld(), 5000).unref());
    this.timers.push(setInterval(() => this.owner.evictIdle(10 * 60_000), 60_000).unref());
    this.stopWatching = await this.streams.watchCatalog();
  }
  async onApplicationShutdown() {
    for (const t of this.timers) clearInterval(t);
    this.stopWatching?.();
    await this.bus.close();
  }
}

@Global()
@Module({
  controllers: [
    StreamsController,
    StreamEventsController,
    InternalStreamsController,
    InternalNodeController,
  ],
  providers: [
    // One per app (not a shared literal): tests run several apps in one process.
    { provide: FENCE_EVENTS, useFactory: (): FenceEvents => ({ onFenced: () => {} }) },
    {
      provide: BUS,
      useFactory: (rt: Runtime) =>
        rt.config.redisUrl
          ? new RedisBus(rt.config.redisUrl, rt.node.identity.id, rt.config.redisPrefix)
          : new InProcessBus(),
      inject: [RUNTIME],
    },
    {
      provide: MessageLogPg,
      useFactory: (pool: Pool, cold: ColdSegments) => new MessageLogPg(pool, cold),
      inject: [PG_POOL, ColdSegments],
    },
    {
      provide: StreamCatalogPg,
      useFactory: (db: Database) => new StreamCatalogPg(db),
      inject: [DATABASE],
    },
    {
      provide: ConsumerStorePg,
      useFactory: (db: Database) => new ConsumerStorePg(db),
      inject: [DATABASE],
    },
    {
      provide: StreamOwner,
      useFactory: (
        log: MessageLogPg,
        bus: Bus,
        leases: LeaseTablePg,
        clock: Clock,
        rt: Runtime,
        http: HttpMetrics,
        fences: FenceEvents,
      ) =>
        new StreamOwner(log, bus, ownerClaimer(leases, rt), clock, {
          node: rt.node.identity,
          maxBatchItems: rt.config.commitBatch,
          maxInFlight: rt.config.commitsInFlight,
          replicationAvailable: false,
          onCommit: metricsFor(http),
          onFenced: (err) => fences.onFenced(err),
        }),
      inject: [MessageLogPg, BUS, LeaseTablePg, CLOCK, RUNTIME, HttpMetrics, FENCE_EVENTS],
    },
    {
      provide: ClusterStreamRouter,
      useFactory: (owner: StreamOwner, placement: PlacementPg, secret: string, rt: Runtime) =>
        new ClusterStreamRouter(owner, placement, new HttpForwarder(secret), rt.node.identity, {
          ...forwardRetries(rt),
          newMsgId: () => `strata-fwd-${randomUUID()}`,
        }),
      inject: [StreamOwner, PlacementPg, CLUSTER_SECRET, RUNTIME],
    },
    {
      provide: StreamsService,
      useFactory: (
        catalog: StreamCatalogPg,
        router: ClusterStreamRouter,
        log: MessageLogPg,
        consumers: ConsumerStorePg,
        bus: Bus,
        quotas: TenantQuotaGuard,
      ) => new StreamsService(catalog, router, log, consumers, bus, quotas),
      inject: [
        StreamCatalogPg,
        ClusterStreamRouter,
        MessageLogPg,
        ConsumerStorePg,
        BUS,
        TenantQuotaGuard,
      ],
    },
    ClusterMembership,
    Rebalancer,
    OwnerHousekeeping,
  ],
  exports: [
    ClusterMembership,
    BUS,
    StreamsService,
    StreamOwner,
    MessageLogPg,
    StreamCatalogPg,
    ClusterStreamRouter,
  ],
})
export class StreamsModule {}
