import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from "@nestjs/common";
import { preferredOwner, type StreamId, StreamOwner } from "@strata/core";
import { NodeRegistryPg, PlacementPg } from "@strata/db";
import { RUNTIME, type Runtime } from "../config/runtime.js";
import { ClusterMembership } from "./cluster-membership.js";

/**
 * Moves streams to their preferred node (rendezvous hashing over live
 * nodes) when nodes join: a bounded share per round, only placements held
 * longer than the cooldown, so a join causes no thundering herd and nothing
 * moves back and forth. Only streams move here: their owner knows how to
 * hand one over safely.
 */
@Injectable()
export class Rebalancer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger("rebalance");
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly registry: NodeRegistryPg,
    private readonly placement: PlacementPg,
    private readonly owner: StreamOwner,
    private readonly membership: ClusterMembership,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.round(), this.runtime.config.rebalanceIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round; returns how many streams were handed over. */
  async round(): Promise<number> {
    if (this.running || this.membership.draining) return 0;
    this.running = true;
    try {
      const me = this.runtime.node.identity;
      const { rebalanceCooldownMs, rebalanceShare } = this.runtime.config;
      this.placement.invalidate("");
      const alive = await this.placement.aliveNodes();
      if (!alive.some((n) => n.id === me.id)) return 0;
      const held = await this.registry.heldLongerThan(me.id, rebalanceCooldownMs, 100_000);
      const misplaced = held.filter(
        (r) => r.startsWith("stream:") && preferredOwner(r, alive)?.id !== me.id,
      );
      const budget = Math.max(1, Math.ceil(held.length * rebalanceShare));
      let moved = 0;
      for (const resource of misplaced.slice(0, budget)) {
        const id = Number(resource.slice("stream:".length)) as StreamId;
        await this.owner.handOver(id, rebalanceCooldownMs, async () => {
          if (await this.registry.release(me.id, resource)) moved++;
        });
        this.placement.invalidate(resource);
      }
      if (moved > 0)
        this.logger.log(
          { moved, misplaced: misplaced.length },
          "streams handed to their preferred nodes",
        );
      return moved;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "rebalance round failed");
      return 0;
    } finally {
      this.running = false;
    }
  }
}
