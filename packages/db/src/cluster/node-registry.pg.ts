import {
  type LeaseTable,
  type NodeRegistration,
  type NodeRegistry,
  type ResourceKind,
} from "@strata/core";
import type pg from "pg";
import { inTransaction } from "../client.js";

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
      `update nodes set lease_expires_at = now() + make_interval(secs => $2), heartbeat_at = now()
        where id = $1 and status = 'alive' returning 1`,
      [id, ttlMs / 1000],
    );
    return (rowCount ?? 0) > 0;
  }

  async leave(id: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query("update leases set node_id = null where node_id = $1", [id]);
      await client.query("update nodes set status = 'dead' where id = $1", [id]);
    });
  }
}

export class LeaseTablePg implements LeaseTable {
  constructor(private readonly pool: pg.Pool) {}

  async claim(
    resource: string,
    kind: ResourceKind,
    tenantId: string | null,
    nodeId: string,
  ): Promise<number | null> {
    // A node that needs a resource may declare its owner dead once that owner's lease
    // has expired by the database clock (DESIGN §7); a live owner is left alone.
    await this.pool.query(
      `update nodes set status = 'dead'
        where id = (select node_id from leases where resource = $1)
          and status = 'alive' and lease_expires_at < now()`,
      [resource],
    );
    // Take it when unowned, released or owned by a node that is not alive; keep it when ours.
    // A new claim bumps the epoch; re-claiming our own row does not.
    const { rows } = await this.pool.query<{ epoch: string }>(
      `insert into leases (resource, kind, tenant_id, node_id, epoch) values ($1, $2, $3, $4, 1)
       on conflict (resource) do update
          set node_id = excluded.node_id,
              epoch = case when leases.node_id = excluded.node_id then leases.epoch else leases.epoch + 1 end,
              acquired_at = case when leases.node_id = excluded.node_id then leases.acquired_at else now() end
        where leases.node_id is null
           or leases.node_id = excluded.node_id
           or leases.node_id in (select id from nodes where status <> 'alive')
       returning epoch`,
      [resource, kind, tenantId, nodeId],
    );
    return rows[0] ? Number(rows[0].epoch) : null;
  }
}
