import { Fenced } from "@strata/core";
import type pg from "pg";
import { inTransaction } from "./client.js";

/**
 * Proves the node lease inside a transaction (DESIGN §7). `FOR KEY SHARE`
 * holds the node row for the commit: whoever declares the node dead locks
 * it `FOR UPDATE` first (DECLARE_DEAD_LOCK) and so waits for this commit,
 * and whoever takes over next loads state that includes it. The heartbeat's
 * UPDATE does not conflict with it: under a steady stream of overlapping
 * commits a `FOR SHARE` fence starved the heartbeat until the node's own
 * lease ran out. A live lease is alive, suspect or draining by the database
 * clock; "dead" is final.
 */
export const FENCE_SQL = `select 1 from nodes where id = $1 and status <> 'dead' and lease_expires_at > now() for key share`;

/**
 * The only way to declare nodes dead: `update nodes set status = 'dead'
 * where id in (select id from nodes where <cond> ${DECLARE_DEAD_LOCK})`.
 * The row lock waits for every commit still holding the node's fence.
 */
export const DECLARE_DEAD_LOCK = "for update";

/**
 * BEGIN; prove `nodeId`'s node lease; run `work`; COMMIT — or roll back and
 * throw (`Fenced` when the lease is gone). Every owner write goes through it.
 */
export function fencedTransaction<T>(
  pool: pg.Pool,
  nodeId: string,
  work: (client: pg.PoolClient) => Promise<T>,
  options: { replicated?: boolean } = {},
): Promise<T> {
  return inTransaction(pool, async (client) => {
    if (options.replicated) await client.query("set local synchronous_commit = remote_apply");
    const fence = await client.query({ name: "strata_fence", text: FENCE_SQL, values: [nodeId] });
    if (fence.rowCount === 0) throw new Fenced(nodeId);
    return work(client);
  });
}
