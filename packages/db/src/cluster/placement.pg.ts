import { type ClusterNode, type Placement } from "@strata/core";
import type pg from "pg";

/** A node's stable name: its id without the incarnation suffix. */
export function nodeName(id: string): string {
  return id.replace(/-[0-9a-f]{8}$/, "");
}

interface Cached<T> {
  readonly value: T;
  readonly at: number;
}

/**
 * Placement from the `leases` and `nodes` tables, judged by the database
 * clock, cached for `ttlMs` so routing does not query on every request.
 * A routing failure invalidates the resource's entry.
 */
export class PlacementPg implements Placement {
  private readonly owners = new Map<string, Cached<ClusterNode | null>>();
  private alive: Cached<ClusterNode[]> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlMs = 1000,
    private readonly maxEntries = 100_000,
  ) {}

  async owner(resource: string): Promise<ClusterNode | null> {
    const hit = this.owners.get(resource);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const { rows } = await this.pool.query<{ id: string; address: string }>(
      `select n.id, n.address from leases l join nodes n on n.id = l.node_id
        where l.resource = $1 and n.status <> 'dead' and n.lease_expires_at > now()`,
      [resource],
    );
    const value = rows[0]
      ? { id: rows[0].id, name: nodeName(rows[0].id), address: rows[0].address }
      : null;
    this.owners.delete(resource);
    this.owners.set(resource, { value, at: Date.now() });
    if (this.owners.size > this.maxEntries) {
      const oldest = this.owners.keys().next().value;
      if (oldest !== undefined) this.owners.delete(oldest);
    }
    return value;
  }

  async aliveNodes(): Promise<ClusterNode[]> {
    if (this.alive && Date.now() - this.alive.at < this.ttlMs) return this.alive.value;
    const { rows } = await this.pool.query<{ id: string; address: string }>(
      // Only nodes that serve the API own resources: a worker-only node (STRATA_ROLE) gets none.
      `select id, address from nodes
        where status in ('alive', 'suspect') and lease_expires_at > now() and 'api' = any(roles)
        order by id`,
    );
    const value = rows.map((r) => ({ id: r.id, name: nodeName(r.id), address: r.address }));
    this.alive = { value, at: Date.now() };
    return value;
  }

  invalidate(resource: string): void {
    this.owners.delete(resource);
    this.alive = undefined;
  }
}
