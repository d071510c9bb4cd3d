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
import { HandOvers } from "./hand-overs.js";

/**
 * How long, at least, an owner turns a handed-over resource away. Other nodes
 * route by a placement cached for up to a second (PlacementPg) and a request
 * forwarded on that stale entry can arrive later still on a loaded machine:
 * held shorter, the old owner re-claimed such resources and they went back
 * and forth instead of settling on their preferred node.
 */
export const MIN_HAND_OVER_HOLD_MS = 5000;

/**
 * Moves resources to their preferred node (rendezvous hashing over live
 * nodes) when nodes join: a bounded share per round, only placements held
 * longer than the cooldown, so a join causes no thundering herd and nothing
 * moves back and forth. A resource moves only when its kind's owner can hand
 * it over safely (HandOvers: streams, KV buckets and documents).
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
    private readonly handOvers: HandOvers,
    private readonly membership: ClusterMembership,
    streams: StreamOwner,
  ) {
    // The stream owner lives in the module that provides this rebalancer.
    handOvers.add({
      prefix: "stream:",
      handOver: (resource, holdMs, release) =>
        streams.handOver(Number(resource.slice("stream:".length)) as StreamId, holdMs, release),
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.round(), this.runtime.config.rebalanceIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One round; returns how many resources were handed over. */
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
        (r) => this.handOvers.for(r) && preferredOwner(r, alive)?.id !== me.id,
      );
      const budget = Math.max(1, Math.ceil(held.length * rebalanceShare));
      let moved = 0;
      for (const resource of misplaced.slice(0, budget)) {
        const holdMs = Math.max(rebalanceCooldownMs, MIN_HAND_OVER_HOLD_MS);
        await this.handOvers.for(resource)!.handOver(resource, holdMs, async () => {
          if (await this.registry.release(me.id, resource)) moved++;
        });
        this.placement.invalidate(resource);
      }
      if (moved > 0)
        this.logger.log(
          { moved, misplaced: misplaced.length },
          "resources handed to their preferred nodes",
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
