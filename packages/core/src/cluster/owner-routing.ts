import { StrataError } from "../errors.js";
import { type ClusterNode, type Placement } from "./cluster-stream-router.js";
import { preferredOwner } from "./rendezvous.js";

export interface RouteOptions<T> {
  readonly placement: Placement;
  readonly self: { readonly id: string };
  readonly attempts: number;
  readonly backoffMs: number;
  /** `stream:<id>`, `bucket:<id>`. */
  readonly resource: string;
  /** The resource is loaded on this node: serve it here without a placement lookup (first try only). */
  readonly loadedHere: boolean;
  readonly here: () => Promise<T>;
  readonly there: (node: ClusterNode, attempt: number) => Promise<T>;
  /** Whether a retryable failure at `target` may be tried again (it must not risk a double write). */
  readonly mayRetry: (err: StrataError, target: ClusterNode | "self") => boolean;
}

/** Which node should serve `resource` now: its live owner, else its preferred node. */
export async function routeTarget(
  placement: Placement,
  self: { readonly id: string },
  resource: string,
): Promise<ClusterNode | "self"> {
  const owner = await placement.owner(resource);
  const node = owner ?? preferredOwner(resource, await placement.aliveNodes());
  return !node || node.id === self.id ? "self" : node;
}

/**
 * Runs an owner operation where the resource lives, retrying on the new
 * owner (with a fresh placement and a growing pause) while `mayRetry` allows.
 * A resource loaded here is ours until we hand it over or lose our lease
 * (then commits are fenced and we retry), so the hot path skips the lookup.
 */
export async function routeToOwner<T>(o: RouteOptions<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const target =
      attempt === 0 && o.loadedHere ? "self" : await routeTarget(o.placement, o.self, o.resource);
    try {
      return target === "self" ? await o.here() : await o.there(target, attempt);
    } catch (err) {
      const retry =
        err instanceof StrataError &&
        err.retryable &&
        attempt + 1 < o.attempts &&
        o.mayRetry(err, target);
      if (!retry) throw err;
      o.placement.invalidate(o.resource);
      await new Promise((r) => setTimeout(r, o.backoffMs * (attempt + 1)));
    }
  }
}
