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
  NotOwner,
  StreamOwner,
  StreamsService,
} from "@strata/core";
import {
  ConsumerStorePg,
  type Database,
  LeaseTablePg,
  MessageLogPg,
  NodeRegistryPg,
  PlacementPg,
  type Pool,
  StreamCatalogPg,
} from "@strata/db";
import { RedisBus } from "../bus/redis-bus.js";
import { HttpMetrics } from "../metrics/http-metrics.js";
import { StreamMetrics } from "../metrics/stream-metrics.js";
import { clusterSecret, CLUSTER_SECRET } from "../cluster/cluster-secret.js";
import { HttpForwarder } from "../cluster/http-forwarder.js";
import { ClusterGuard, InternalStreamsController } from "../cluster/internal.controller.js";
import { ClusterMembership } from "../cluster/cluster-membership.js";
import { DATABASE, PG_POOL, RUNTIME, type Runtime } from "../config/runtime.js";
import { CLOCK } from "../database/database.module.js";
import { StreamEventsController } from "./stream-events.controller.js";
import { StreamsController } from "./streams.controller.js";

export const BUS = Symbol("Bus");

function metricsFor(http: HttpMetrics) {
  const metrics = new StreamMetrics(http.registry);
  return (stats: CommitStats) => metrics.observe(stats);
}

/** Age retention and eviction of idle streams, on timers; closes the bus at the end. */
@Injectable()
class OwnerHousekeeping implements OnModuleInit, OnApplicationShutdown {
  private timers: NodeJS.Timeout[] = [];
  constructor(
    private readonly owner: StreamOwner,
    @Inject(BUS) private readonly bus: Bus,
  ) {}
  onModuleInit() {
    this.timers.push(setInterval(() => void this.owner.expireOld(), 5000).unref());
    this.timers.push(setInterval(() => this.owner.evictIdle(10 * 60_000), 60_000).unref());
  }
  async onApplicationShutdown() {
    for (const t of this.timers) clearInterval(t);
    await this.bus.close();
  }
}

@Global()
@Module({
  controllers: [StreamsController, StreamEventsController, InternalStreamsController],
  providers: [
    {
      provide: BUS,
      useFactory: (rt: Runtime) =>
        rt.config.redisUrl
          ? new RedisBus(rt.config.redisUrl, rt.node.identity.id)
          : new InProcessBus(),
      inject: [RUNTIME],
    },
    {
      provide: MessageLogPg,
      useFactory: (pool: Pool) => new MessageLogPg(pool),
      inject: [PG_POOL],
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
      provide: NodeRegistryPg,
      useFactory: (pool: Pool) => new NodeRegistryPg(pool),
      inject: [PG_POOL],
    },
    {
      provide: LeaseTablePg,
      useFactory: (pool: Pool) => new LeaseTablePg(pool),
      inject: [PG_POOL],
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
      ) =>
        new StreamOwner(
          log,
          bus,
          {
            claim: async (resource, kind, tenantId) => {
              const epoch = await leases.claim(resource, kind, tenantId, rt.node.identity.id);
              if (epoch === null) throw new NotOwner(resource);
              return epoch;
            },
          },
          clock,
          {
            node: rt.node.identity,
            maxBatchItems: rt.config.commitBatch,
            maxInFlight: rt.config.commitsInFlight,
            replicationAvailable: false,
            onCommit: metricsFor(http),
          },
        ),
      inject: [MessageLogPg, BUS, LeaseTablePg, CLOCK, RUNTIME, HttpMetrics],
    },
    {
      provide: CLUSTER_SECRET,
      useFactory: (rt: Runtime) => clusterSecret(rt.config.clusterSecret, rt.adminToken),
      inject: [RUNTIME],
    },
    { provide: PlacementPg, useFactory: (pool: Pool) => new PlacementPg(pool), inject: [PG_POOL] },
    {
      provide: ClusterStreamRouter,
      useFactory: (owner: StreamOwner, placement: PlacementPg, secret: string, rt: Runtime) =>
        new ClusterStreamRouter(owner, placement, new HttpForwarder(secret), rt.node.identity, {
          attempts: 6,
          backoffMs: 100,
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
      ) => new StreamsService(catalog, router, log, consumers, bus),
      inject: [StreamCatalogPg, ClusterStreamRouter, MessageLogPg, ConsumerStorePg, BUS],
    },
    ClusterGuard,
    ClusterMembership,
    OwnerHousekeeping,
  ],
  exports: [BUS, StreamsService, StreamOwner, MessageLogPg, StreamCatalogPg],
})
export class StreamsModule {}
