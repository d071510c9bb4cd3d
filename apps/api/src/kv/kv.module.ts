import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnModuleInit,
} from "@nestjs/common";
import {
  type BucketId,
  type Bus,
  type Clock,
  ClusterKvRouter,
  KvOwner,
  KvService,
  purgeExpired,
} from "@strata/core";
import {
  type Database,
  KvCatalogPg,
  KvLogPg,
  KvReaderPg,
  LeaseTablePg,
  PlacementPg,
  type Pool,
} from "@strata/db";
import { CLUSTER_SECRET } from "../cluster/cluster-secret.js";
import { HandOvers } from "../cluster/hand-overs.js";
import { HttpKvForwarder } from "../cluster/http-kv-forwarder.js";
import { InternalKvController } from "../cluster/internal-kv.controller.js";
import { forwardRetries, ownerClaimer } from "../cluster/owner-claimer.js";
import { DATABASE, PG_POOL, RUNTIME, type Runtime } from "../config/runtime.js";
import { CLOCK } from "../database/database.module.js";
import { BUS } from "../streams/streams.module.js";
import { DocsModule } from "../docs/docs.module.js";
import { crdtKvProviders } from "./crdt-kv.providers.js";
import { KvBucketsController } from "./kv-buckets.controller.js";
import { KvEventsController } from "./kv-events.controller.js";
import { KvKeysController } from "./kv-keys.controller.js";
import { KvRawBodyMiddleware } from "./kv-raw-body.middleware.js";

const PURGE_MS = 2000;
/** Every this many purge passes, also look for buckets with expired keys that are not loaded here. */
const SWEEP_EVERY = 15;

/** TTL purge, eviction of idle buckets, rebalancing hand-overs, and draining on shutdown. */
@Injectable()
class KvHousekeeping implements OnModuleInit, BeforeApplicationShutdown {
  private timers: NodeJS.Timeout[] = [];
  private passes = 0;
  private purging = false;

  constructor(
    private readonly owner: KvOwner,
    private readonly log: KvLogPg,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    handOvers: HandOvers,
  ) {
    handOvers.add({
      prefix: "bucket:",
      handOver: (resource, holdMs, release) =>
        owner.handOver(Number(resource.slice("bucket:".length)) as BucketId, holdMs, release),
    });
  }

  onModuleInit() {
    // Purging claims buckets: a node that serves no API (STRATA_ROLE=worker) owns none.
    if (!this.runtime.config.roles.includes("api")) return;
    this.timers.push(setInterval(() => void this.purge(), PURGE_MS).unref());
    this.timers.push(setInterval(() => this.owner.evictIdle(10 * 60_000), 60_000).unref());
  }

  async beforeApplicationShutdown() {
    for (const t of this.timers) clearInterval(t);
    await this.owner.drain().catch(() => {});
  }

  private async purge(): Promise<void> {
    if (this.purging) return;
    this.purging = true;
    try {
      const sweep = this.passes++ % SWEEP_EVERY === 0;
      await purgeExpired(this.owner, this.log, { sweep, limit: 1000 });
    } catch {
      // Database trouble: the next pass tries again.
    } finally {
      this.purging = false;
    }
  }
}

@Module({
  imports: [DocsModule],
  controllers: [KvBucketsController, KvKeysController, KvEventsController, InternalKvController],
  providers: [
    { provide: KvCatalogPg, useFactory: (db: Database) => new KvCatalogPg(db), inject: [DATABASE] },
    { provide: KvLogPg, useFactory: (pool: Pool) => new KvLogPg(pool), inject: [PG_POOL] },
    { provide: KvReaderPg, useFactory: (pool: Pool) => new KvReaderPg(pool), inject: [PG_POOL] },
    {
      provide: KvOwner,
      useFactory: (log: KvLogPg, bus: Bus, leases: LeaseTablePg, clock: Clock, rt: Runtime) =>
        new KvOwner(log, bus, ownerClaimer(leases, rt), clock, {
          node: rt.node.identity,
          maxBatchItems: rt.config.commitBatch,
          maxInFlight: rt.config.commitsInFlight,
        }),
      inject: [KvLogPg, BUS, LeaseTablePg, CLOCK, RUNTIME],
    },
    {
      provide: ClusterKvRouter,
      useFactory: (owner: KvOwner, placement: PlacementPg, secret: string, rt: Runtime) =>
        new ClusterKvRouter(
          owner,
          placement,
          new HttpKvForwarder(secret),
          rt.node.identity,
          forwardRetries(rt),
        ),
      inject: [KvOwner, PlacementPg, CLUSTER_SECRET, RUNTIME],
    },
    // KvService (both bucket modes) and CrdtKv.
    ...crdtKvProviders,
    KvHousekeeping,
  ],
  exports: [KvService, KvOwner],
})
export class KvModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(KvRawBodyMiddleware).forRoutes(KvKeysController);
  }
}
