import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from "@nestjs/common";
import { Fenced, StreamOwner } from "@strata/core";
import { NodeRegistryPg } from "@strata/db";
import { RUNTIME, type Runtime } from "../config/runtime.js";

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

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly registry: NodeRegistryPg,
    private readonly owner: StreamOwner,
  ) {}

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
    clearInterval(this.timer);
    await this.owner.drain().catch(() => {});
    await this.registry.leave(this.runtime.node.identity.id).catch(() => {});
  }

  private async register(): Promise<void> {
    const { identity, version, roles } = this.runtime.node;
    await this.registry.register(
      { id: identity.id, address: identity.address, version, roles },
      this.runtime.config.leaseTtlMs,
    );
    this.registered = true;
  }

  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    const { identity } = this.runtime.node;
    try {
      if (!this.registered) return await this.register();
      const alive = await this.registry.heartbeat(identity.id, this.runtime.config.leaseTtlMs);
      if (!alive) {
        const lost = identity.id;
        this.owner.stepDown(new Fenced(lost));
        identity.renew();
        this.registered = false;
        this.logger.error(
          { lost, rejoined_as: identity.id },
          "node lease lost: stepped down and rejoined",
        );
        await this.register();
      }
    } catch (err) {
      // Database unreachable: keep trying. If the lease runs out meanwhile, fenced commits fail safely.
      this.logger.warn({ err: (err as Error).message }, "heartbeat failed");
    } finally {
      this.beating = false;
    }
  }
}
