import { StrataError } from "../errors.js";

export interface NodeRegistration {
  readonly id: string;
  readonly address: string;
  readonly version: string;
  readonly roles: readonly string[];
}

/**
 * Node leases (DESIGN §7): a row per node incarnation, renewed by heartbeat.
 * Expiry is judged by the database clock only.
 */
export interface NodeRegistry {
  register(node: NodeRegistration, ttlMs: number): Promise<void>;
  /** Renews the lease; false when the cluster has declared this node dead. */
  heartbeat(id: string, ttlMs: number): Promise<boolean>;
  /** Graceful exit: gives up every placement and marks the node dead. */
  leave(id: string): Promise<void>;
}

export type ResourceKind = "stream" | "bucket" | "doc";

/** Placement rows: which node incarnation owns a resource, with a fencing epoch. */
export interface LeaseTable {
  /**
   * Claims `resource` for `nodeId` if it is unowned, released, owned by a
   * dead node, or already ours; returns the epoch, or null when another live
   * node owns it.
   */
  claim(
    resource: string,
    kind: ResourceKind,
    tenantId: string | null,
    nodeId: string,
  ): Promise<number | null>;
}

/** Another live node owns the resource. */
export class NotOwner extends StrataError {
  readonly code = "not_owner";
  readonly status = 503;
  override readonly retryable = true;
  constructor(resource: string) {
    super(`Another node owns ${resource}; retry the request.`);
  }
}

/**
 * An owner that can give up one of its resources safely when the rebalancer
 * moves it to its preferred node: it stops taking writes for the resource,
 * lets every accepted write commit, forgets it, then `release` clears the
 * placement row so the new owner claims it with a bumped epoch. For `holdMs`
 * it turns the resource's writes away with a retryable NotOwner, so they
 * follow the new placement instead of claiming the resource back.
 */
export interface HandOver {
  /** The placement resources it serves: `stream:`, `bucket:`, `doc:`. */
  readonly prefix: string;
  handOver(resource: string, holdMs: number, release: () => Promise<void>): Promise<void>;
}
