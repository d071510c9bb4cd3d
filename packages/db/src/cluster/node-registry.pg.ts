import {
  type LeaseTable,
  type NodeRegistration,
  type NodeRegistry,
  type ResourceKind,
} from "@strata/core";
import type pg from "pg";
import { inTransaction } from "../client.js";
import { DECLARE_DEAD_LOCK } from "../fenced-tx.js";
import { tickBatch } from "../tick-batch.js";
import { nodeName } from "./placement.pg.js";

export class NodeRegistryPg implements NodeRegistry {
  constructor(private readonly pool: pg.Pool) {}

  async register(node: NodeRegistration, ttlMs: number): Promise<void> {
    await this.pool.query(
      `insert into nodes (id, address, version, roles, status, lease_expires_at)
       values ($1, $2, $3, $4, 'alive', now() + make_interval(secs => $5))`,
      [node.id, node.address, node.version, node.roles, ttlMs / 1000],
    );
  }

  async heartbeat(id: string, ttlMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `update nodes set lease_expires_at = now() + make_interval(secs => $2), heartbeat_at = now(),
              status = case when status = 'suspect' then 'alive' else status end
        where id = $1 and status <> 'dead' returning 1`,
      [id, ttlMs / 1000],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * The heartbeat monitor's pass, by the database clock: nodes whose lease
   * expired become dead and lose their placements; nodes whose heartbeat is
   * late (but lease still valid) become suspect; suspects that beat again
   * are alive. "Dead" locks the rows first, so it waits for fenced commits in flight.
   */
  async sweep(lateMs: number): Promise<{ dead: string[]; suspect: string[] }> {
    return inTransaction(this.pool, async (client) => {
      const dead = await client.query<{ id: string }>(
        `update nodes set status = 'dead'
          where id in (select id from nodes where status <> 'dead' and lease_expires_at < now()
                       ${DECLARE_DEAD_LOCK})
      returning id`,
      );
      const ids = dead.rows.map((r) => r.id);
      if (ids.length > 0)
        await client.query("update leases set node_id = null where node_id = any($1)", [ids]);
      const suspect = await client.query<{ id: string }>(
        `update nodes set status = 'suspect'
          where status = 'alive' and heartbeat_at < now() - make_interval(secs => $1) returning id`,
        [lateMs / 1000],
      );
      return { dead: ids, suspect: suspect.rows.map((r) => r.id) };
    });
  }

  /** Names of nodes with a live lease (for resolving node_down alerts). */
  async aliveNames(): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      "select id from nodes where status <> 'dead' and lease_expires_at > now()",
    );
    return rows.map((r) => nodeName(r.id));
  }

  /** Drain: stop being preferred for new work (other nodes route around it) but keep committing. */
  async markDraining(id: string): Promise<void> {
    await this.pool.query(
      "update nodes set status = 'draining' where id = $1 and status <> 'dead'",
      [id],
    );
  }

  /** Gives up every placement of this node (drain), so others claim them at once. */
  async releaseAll(id: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      "update leases set node_id = null where node_id = $1",
      [id],
    );
    return rowCount ?? 0;
  }

  /** Gives up one placement if we still hold it. */
  async release(id: string, resource: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "update leases set node_id = null where resource = $1 and node_id = $2",
      [resource, id],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Placements of this node held for at least `minAgeMs` (rebalancing candidates). */
  async heldLongerThan(id: string, minAgeMs: number, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ resource: string }>(
      `select resource from leases where node_id = $1 and acquired_at < now() - make_interval(secs => $2)
        order by resource limit $3`,
      [id, minAgeMs / 1000, limit],
    );
    return rows.map((r) => r.resource);
  }

  async leave(id: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query("update leases set node_id = null where node_id = $1", [id]);
      await client.query(
        `update nodes set status = 'dead' where id in (select id from nodes where id = $1 ${DECLARE_DEAD_LOCK})`,
        [id],
      );
    });
  }
}

interface Claim {
  readonly resource: string;
  readonly kind: ResourceKind;
  readonly tenantId: string | null;
  readonly nodeId: string;
}

/**
 * Claims go to the database in batches (tickBatch): the claims made in one
 * turn of the event loop are two statements in all.
 */
export class LeaseTablePg implements LeaseTable {
  private readonly batched = tickBatch((claims: readonly Claim[]) => this.claimMany(claims));

  constructor(private readonly pool: pg.Pool) {}

  claim(
    resource: string,
    kind: ResourceKind,
    tenantId: string | null,
    nodeId: string,
  ): Promise<number | null> {
    return this.batched({ resource, kind, tenantId, nodeId });
  }

  private async claimMany(claims: readonly Claim[]): Promise<(number | null)[]> {
    const epochs = new Map<string, number | null>();
    for (const nodeId of new Set(claims.map((c) => c.nodeId))) {
      // One row per resource, in resource order: concurrent batches lock rows in the same order.
      const mine = new Map<string, Claim>();
      for (const c of claims) if (c.nodeId === nodeId) mine.set(c.resource, c);
      const sorted = [...mine.values()].sort((a, b) => (a.resource < b.resource ? -1 : 1));
      const resources = sorted.map((c) => c.resource);
      // A node that needs a resource may declare its owner dead once that owner's lease
      // has expired by the database clock (DESIGN §7); a live owner is left alone.
      await this.pool.query(
        `update nodes set status = 'dead'
          where id in (select id from nodes
                        where id in (select node_id from leases where resource = any($1::text[]))
                          and status <> 'dead' and lease_expires_at < now()
                        order by id
                       ${DECLARE_DEAD_LOCK})`,
        [resources],
      );
      // Take each when unowned, released or owned by a node that is not alive; keep it when ours.
      // A new claim bumps the epoch; re-claiming our own row does not.
      const { rows } = await this.pool.query<{ resource: string; epoch: string }>(
        `insert into leases (resource, kind, tenant_id, node_id, epoch)
         select r, k, t, $4, 1 from unnest($1::text[], $2::text[], $3::uuid[]) as u(r, k, t)
         on conflict (resource) do update
            set node_id = excluded.node_id,
                epoch = case when leases.node_id = excluded.node_id then leases.epoch else leases.epoch + 1 end,
                acquired_at = case when leases.node_id = excluded.node_id then leases.acquired_at else now() end
          where leases.node_id is null
             or leases.node_id = excluded.node_id
             or leases.node_id in (select id from nodes where status = 'dead')
         returning resource, epoch`,
        [resources, sorted.map((c) => c.kind), sorted.map((c) => c.tenantId), nodeId],
      );
      const won = new Map(rows.map((r) => [r.resource, Number(r.epoch)]));
      for (const r of resources) epochs.set(`${nodeId}\n${r}`, won.get(r) ?? null);
    }
    return claims.map((c) => epochs.get(`${c.nodeId}\n${c.resource}`)!);
  }
}
