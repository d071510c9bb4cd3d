import { Injectable, type OnModuleDestroy, type OnModuleInit, type Provider } from "@nestjs/common";
import {
  type Bus,
  type Clock,
  ClusterKvRouter,
  CrdtKv,
  type DocRef,
  DOCS_DELETED_TOPIC,
  DocsService,
  KvService,
  ModalKvService,
  NotFound,
} from "@strata/core";
import { DocCatalogPg, KvCatalogPg, KvReaderPg } from "@strata/db";
import { CLOCK } from "../database/database.module.js";
import { BUS } from "../streams/streams.module.js";

const IDLE_MS = 10 * 60_000;

/** Drops crdt bucket copies that are idle, or whose document was deleted on any node. */
@Injectable()
class CrdtKvHousekeeping implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly crdt: CrdtKv,
    private readonly bus: Bus,
  ) {}

  async onModuleInit() {
    this.timer = setInterval(() => this.crdt.evictIdle(IDLE_MS), 60_000).unref();
    this.unsubscribe = await this.bus.subscribe(DOCS_DELETED_TOPIC, (ref) => {
      if (typeof ref !== "object" || ref === null) return;
      const r = ref as DocRef;
      this.crdt.drop(r, new NotFound("document", r.documentId));
    });
  }

  onModuleDestroy() {
    clearInterval(this.timer);
    this.unsubscribe?.();
  }
}

/**
 * crdt buckets (packages/core/src/kv-crdt): KvService is the ModalKvService,
 * which serves them from CrdtKv over the documents machinery and every
 * other bucket as before.
 */
export const crdtKvProviders: Provider[] = [
  {
    provide: CrdtKv,
    useFactory: (docs: DocsService, catalog: DocCatalogPg, clock: Clock) =>
      new CrdtKv({
        docs,
        clock,
        durableHeads: async (ref) => (await catalog.get(ref))?.heads ?? null,
      }),
    inject: [DocsService, DocCatalogPg, CLOCK],
  },
  {
    provide: KvService,
    useFactory: (
      crdt: CrdtKv,
      buckets: KvCatalogPg,
      docCatalog: DocCatalogPg,
      router: ClusterKvRouter,
      reader: KvReaderPg,
      bus: Bus,
    ) => new ModalKvService({ crdt, buckets, docCatalog }, router, reader, bus),
    inject: [CrdtKv, KvCatalogPg, DocCatalogPg, ClusterKvRouter, KvReaderPg, BUS],
  },
  {
    provide: CrdtKvHousekeeping,
    useFactory: (crdt: CrdtKv, bus: Bus) => new CrdtKvHousekeeping(crdt, bus),
    inject: [CrdtKv, BUS],
  },
];
