import { type ClusterNode, type Placement } from "@strata/core";
import type pg from "pg";
import { tickBatch } from "../tick-batch.js";

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
  private aliveLoading: Promise<ClusterNode[]> | undefined;
  /** The lookups of one turn of the event loop share one query. */
  private readonly lookup = tickBatch((resources: readonly string[]) => this.ownersOf(resources));

  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlMs = 1000,
    private readonly maxEntries = 100_000,
  ) {}

  async owner(resource: string): Promise<ClusterNode | null> {
    const hit = this.owners.get(resource);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = await this.lookup(resource);
    this.owners.delete(resource);
    this.owners.set(resource, { value, at: Date.now() });
    if (this.owners.size > this.maxEntries) {
      const oldest = this.owners.keys().next().value;
      if (oldest !== undefined) this.owners.delete(oldest);
    }
    return value;
  }

  aliveNodes(): Promise<ClusterNode[]> {
    if (this.alive && Date.now() - this.alive.at < this.ttlMs)
      return Promise.resolve(this.alive.value);
    // Callers that miss together share one query.
    if (!this.aliveLoading) {
      const loading = this.loadAlive().then((value) => {
        // A load started before an invalidate must not become the cached answer.
        if (this.aliveLoading === loading) this.alive = { value, at: Date.now() };
        return value;
      });
      this.aliveLoading = loading;
      void loading
        .finally(() => {
          if (this.aliveLoading === loading) this.aliveLoading = undefined;
        })
        .catch(() => undefined);
    }
    return this.aliveLoading;
  }

  private async loadAlive(): Promise<ClusterNode[]> {
    const { rows } = await this.pool.query<{ id: string; address: string }>(
      // Only nodes that serve the API own resources: a worker-only node (STRATA_ROLE) gets none.
      `select id, address from nodes
        where status in ('alive', 'suspect') and lease_expires_at > now() and 'api' = any(roles)
        order by id`,
    );
    return rows.map((r) => ({ id: r.id, name: nodeName(r.id), address: r.address }));
  }

  private async ownersOf(resources: readonly string[]): Promise<(ClusterNode | null)[]> {
    const { rows } = await this.pool.query<{ resource: string; id: string; address: string }>(
      `select l.resource, n.id, n.address from leases l join nodes n on n.id = l.node_id
        where l.resource = any($1::text[]) and n.status <> 'dead' and n.lease_expires_at > now()`,
      [[...new Set(resources)]],
    );
    const byResource = new Map(
      rows.map((r) => [r.resource, { id: r.id, name: nodeName(r.id), address: r.address }]),
    );
    return resources.map((r) => byResource.get(r) ?? null);
  }

  invalidate(resource: string): void {
    this.owners.delete(resource);
    this.alive = undefined;
    this.aliveLoading = undefined;
  }
}
