import {
  type BeforeApplicationShutdown,
  Injectable,
  Module,
  type OnModuleInit,
} from "@nestjs/common";
import {
  type Bus,
  type Clock,
  ClusterDocRouter,
  DocCompactor,
  DocOwner,
  type DocRef,
  DOCS_DELETED_TOPIC,
  DocsService,
} from "@strata/core";
import {
  DocCatalogPg,
  DocCompactionPg,
  DocLogPg,
  LeaseTablePg,
  PlacementPg,
  type Pool,
  TieredSnapshots,
} from "@strata/db";
import { CLUSTER_SECRET } from "../cluster/cluster-secret.js";
import { HandOvers } from "../cluster/hand-overs.js";
import { HttpDocForwarder } from "../cluster/http-doc-forwarder.js";
import { InternalDocsController } from "../cluster/internal-docs.controller.js";
import { forwardRetries, ownerClaimer } from "../cluster/owner-claimer.js";
import { PG_POOL, RUNTIME, type Runtime } from "../config/runtime.js";
import { CLOCK } from "../database/database.module.js";
import { BUS } from "../streams/streams.module.js";
import { ObjectStoreModule } from "../tiering/object-store.module.js";
import { DocCompactionJobs } from "./doc-compaction.jobs.js";
import { DocsController } from "./docs.controller.js";

/**
 * Evicts idle documents from memory, drops documents deleted on any node,
 * hands documents over when the rebalancer moves them, and lets accepted
 * changes commit on shutdown.
 */
@Injectable()
class DocsHousekeeping implements OnModuleInit, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly owner: DocOwner,
    private readonly runtime: Runtime,
    private readonly bus: Bus,
    handOvers: HandOvers,
  ) {
    handOvers.add({
      prefix: "doc:",
      handOver: (resource, holdMs, release) => owner.handOver(resource, holdMs, release),
    });
  }

  async onModuleInit() {
    const idleMs = this.runtime.config.docs.idleMs;
    this.timer = setInterval(() => this.owner.evictIdle(idleMs), Math.min(60_000, idleMs)).unref();
    this.unsubscribe = await this.bus.subscribe(DOCS_DELETED_TOPIC, (ref) => {
      if (typeof ref === "object" && ref !== null) this.owner.forget(ref as DocRef);
    });
  }

  async beforeApplicationShutdown() {
    clearInterval(this.timer);
    this.unsubscribe?.();
    await this.owner.drain().catch(() => {});
  }
}

/**
 * Automerge documents: storage, the owner, REST, compaction. Exports
 * DocsService (the `DocumentsForSync` port the sync endpoint uses) and
 * DocOwner.
 */
@Module({
  imports: [ObjectStoreModule],
  controllers: [DocsController, InternalDocsController],
  providers: [
    {
      provide: DocCatalogPg,
      useFactory: (pool: Pool) => new DocCatalogPg(pool),
      inject: [PG_POOL],
    },
    // Both load a snapshot the tiering job moved to the object store through TieredSnapshots.
    {
      provide: DocLogPg,
      useFactory: (pool: Pool, snapshots: TieredSnapshots) => new DocLogPg(pool, snapshots),
      inject: [PG_POOL, TieredSnapshots],
    },
    {
      provide: DocCompactionPg,
      useFactory: (pool: Pool, snapshots: TieredSnapshots) => new DocCompactionPg(pool, snapshots),
      inject: [PG_POOL, TieredSnapshots],
    },
    {
      provide: DocCompactor,
      useFactory: (store: DocCompactionPg) => new DocCompactor(store),
      inject: [DocCompactionPg],
    },
    DocCompactionJobs,
    {
      provide: DocOwner,
      useFactory: (
        log: DocLogPg,
        bus: Bus,
        leases: LeaseTablePg,
        clock: Clock,
        rt: Runtime,
        jobs: DocCompactionJobs,
      ) =>
        new DocOwner(log, bus, ownerClaimer(leases, rt), clock, {
          node: rt.node.identity,
          maxDocBytes: rt.config.docs.maxBytes,
          cacheBytes: rt.config.docs.cacheBytes,
          compactChanges: rt.config.docs.compactChanges,
          compactBytes: rt.config.docs.compactBytes,
          onCompactionDue: (_ref, info) => jobs.request(info.id),
        }),
      inject: [DocLogPg, BUS, LeaseTablePg, CLOCK, RUNTIME, DocCompactionJobs],
    },
    {
      provide: ClusterDocRouter,
      useFactory: (owner: DocOwner, placement: PlacementPg, secret: string, rt: Runtime) =>
        new ClusterDocRouter(
          owner,
          placement,
          new HttpDocForwarder(secret),
          rt.node.identity,
          forwardRetries(rt),
        ),
      inject: [DocOwner, PlacementPg, CLUSTER_SECRET, RUNTIME],
    },
    {
      provide: DocsService,
      useFactory: (catalog: DocCatalogPg, log: DocLogPg, router: ClusterDocRouter, bus: Bus) =>
        new DocsService(catalog, log, router, catalog, bus),
      inject: [DocCatalogPg, DocLogPg, ClusterDocRouter, BUS],
    },
    {
      provide: DocsHousekeeping,
      useFactory: (owner: DocOwner, rt: Runtime, bus: Bus, handOvers: HandOvers) =>
        new DocsHousekeeping(owner, rt, bus, handOvers),
      inject: [DocOwner, RUNTIME, BUS, HandOvers],
    },
  ],
  exports: [DocsService, DocOwner, DocCatalogPg, DocCompactor, DocCompactionJobs],
})
export class DocsModule {}
