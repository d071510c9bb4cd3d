import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from "@nestjs/common";
import { ModuleRef } from "@nestjs/core";
import { DocOwner, Fenced, KvOwner, NotOwner, StreamOwner } from "@strata/core";
import { AlertStorePg, ClusterAdminPg, NodeRegistryPg } from "@strata/db";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { FENCE_EVENTS, type FenceEvents } from "./fence-events.js";

/**
 * Keeps this node's lease alive (DESIGN §7). When a heartbeat finds the node
 * declared dead, it stops serving everything at once and rejoins as a new
 * incarnation; on shutdown it drains and gives its placements up.
 */
@Injectable()
export class ClusterMembership implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("cluster");
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  private registered = false;
  private drained: Promise<void> | undefined;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly registry: NodeRegistryPg,
    private readonly owner: StreamOwner,
    private readonly alerts: AlertStorePg,
    private readonly admin: ClusterAdminPg,
    @Inject(FENCE_EVENTS) fences: FenceEvents,
    private readonly moduleRef: ModuleRef,
  ) {
    fences.onFenced = (err) => void this.fenced(err);
  }

  async onApplicationBootstrap(): Promise<void> {
    // A database that is down (or not migrated) at start must not keep the node from
    // starting: it reports not-ready, and the heartbeat registers it once it can.
    await this.register().catch((err: Error) =>
      this.logger.warn({ err: err.message }, "node registration failed"),
    );
    this.timer = setInterval(() => void this.beat(), this.runtime.config.heartbeatMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain().catch(() => {});
    clearInterval(this.timer);
    await this.registry.leave(this.runtime.node.identity.id).catch(() => {});
  }

  get draining(): boolean {
    return this.drained !== undefined;
  }

  /**
   * Drain (SIGTERM, or an operator's request): stop being preferred, take no
   * new work, let accepted appends commit, then give every placement up so
   * other nodes claim it at once. The node keeps its lease (it still
   * forwards requests) until it leaves.
   */
  drain(): Promise<void> {
    this.drained ??= (async () => {
      const id = this.runtime.node.identity.id;
      await this.registry.markDraining(id);
      this.owner.stopAccepting();
      await this.owner.drain();
      await this.kv()?.drain();
      await this.docs()?.drain();
      const released = await this.registry.releaseAll(id);
      // Buckets loaded here follow their placement from now on (forwarded, not served locally).
      this.kv()?.stepDown(new NotOwner("bucket:*"));
      this.docs()?.stepDown(new NotOwner("doc:*"));
      this.logger.log({ released }, "drained: placements released");
    })();
    return this.drained;
  }

  /** The KV owner (from the KV module, resolved lazily: the two modules would otherwise import each other). */
  private kv(): KvOwner | undefined {
    try {
      return this.moduleRef.get(KvOwner, { strict: false });
    } catch {
      return undefined;
    }
  }

  /** The document owner (DocsModule), resolved lazily like the KV owner. */
  private docs(): DocOwner | undefined {
    try {
      return this.moduleRef.get(DocOwner, { strict: false });
    } catch {
      return undefined;
    }
  }

  private async register(): Promise<void> {
    const { identity, version, roles } = this.runtime.node;
    await this.registry.register(
      { id: identity.id, address: identity.address, version, roles },
      this.runtime.config.leaseTtlMs,
    );
    this.registered = true;
  }

  /**
   * The cluster declared this node dead while it was running (a pause, a
   * partition): stop serving everything at once, say so loudly, and come back
   * as a new incarnation that owns nothing.
   */
  private async lostLease(): Promise<void> {
    const { identity } = this.runtime.node;
    const lost = identity.id;
    const kv = this.kv();
    const held = [
      ...this.owner.loadedResources(),
      ...(kv?.loaded().map((b) => `bucket:${b.id}`) ?? []),
    ];
    this.owner.stepDown(new Fenced(lost));
    kv?.stepDown(new Fenced(lost));
    this.docs()?.stepDown(new Fenced(lost));
    identity.renew();
    this.registered = false;
    this.logger.error(
      { lost, rejoined_as: identity.id },
      "node lease lost: stepped down and rejoined",
    );
    // Right after a pause, pooled connections may be dead (the server ended them): retry a few times.
    const owners = await retry(() => this.admin.owners(held)).catch(() => []);
    await retry(() =>
      this.alerts.raise({
        kind: "split_brain",
        resource: `node:${identity.name}`,
        message: `Node ${lost} was declared dead while still running; it stepped down from ${held.length} resource(s) and rejoined as ${identity.id}.`,
        details: {
          node_id: lost,
          rejoined_as: identity.id,
          resources: owners.map((o) => ({ resource: o.resource, owner: o.nodeId, epoch: o.epoch })),
        },
      }),
    ).catch((err: Error) =>
      this.logger.error({ err: err.message }, "could not record the split-brain alert"),
    );
    await this.register();
  }

  /** A commit found this node's lease gone: record it, and let the heartbeat confirm and rejoin. */
  private async fenced(err: Fenced): Promise<void> {
    const { identity } = this.runtime.node;
    await retry(() =>
      this.alerts.raise({
        kind: "fenced_write",
        resource: `node:${identity.name}`,
        message: `A write on node ${identity.id} was refused because its lease had been lost; nothing was committed.`,
        details: { node_id: identity.id, error: err.message },
      }),
    ).catch((e: Error) =>
      this.logger.error({ err: e.message }, "could not record the fenced-write alert"),
    );
    void this.beat();
  }

  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    const { identity } = this.runtime.node;
    try {
      if (!this.registered) return await this.register();
      const alive = await this.registry.heartbeat(identity.id, this.runtime.config.leaseTtlMs);
      if (!alive) await this.lostLease();
    } catch (err) {
      // Database unreachable: keep trying. If the lease runs out meanwhile, fenced commits fail safely.
      this.logger.warn({ err: (err as Error).message }, "heartbeat failed");
    } finally {
      this.beating = false;
    }
  }
}

async function retry<T>(op: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await op();
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}
