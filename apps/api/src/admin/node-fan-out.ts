import { Inject, Injectable } from "@nestjs/common";
import { PlacementPg } from "@strata/db";
import { CLUSTER_SECRET, CLUSTER_SECRET_HEADER } from "../cluster/cluster-secret.js";
import { RUNTIME, type Runtime } from "../config/runtime.js";

/** How long a node has to answer before it is listed as unreachable. */
const ANSWER_TIMEOUT_MS = 2000;

/**
 * Asks every other alive node the same internal question (throughput samples,
 * live subscriptions, tenant traffic), so an operator view can cover the
 * whole cluster from whichever node it reached. A node that fails, answers
 * an error or a body `parse` rejects is named in `unreachable` instead.
 */
@Injectable()
export class NodeFanOut {
  constructor(
    private readonly placement: PlacementPg,
    @Inject(CLUSTER_SECRET) private readonly secret: string,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  /** The id of the node answering the operator. */
  get selfId(): string {
    return this.runtime.node.identity.id;
  }

  async askOthers<T>(
    path: string,
    parse: (body: unknown) => T,
  ): Promise<{ answers: T[]; unreachable: string[] }> {
    const others = (await this.placement.aliveNodes()).filter((n) => n.id !== this.selfId);
    const unreachable: string[] = [];
    const answers = await Promise.all(
      others.map(async (n): Promise<T[]> => {
        try {
          const res = await fetch(`${n.address}${path}`, {
            headers: { [CLUSTER_SECRET_HEADER]: this.secret },
            signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
          });
          if (!res.ok) throw new Error(String(res.status));
          return [parse(await res.json())];
        } catch {
          unreachable.push(n.id);
          return [];
        }
      }),
    );
    return { answers: answers.flat(), unreachable };
  }
}
