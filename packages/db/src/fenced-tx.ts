import { Fenced } from "@strata/core";
import type pg from "pg";
import { withClient } from "./client.js";
import { CopyIn } from "./copy-in.js";

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
 * BEGIN and the fence travel as one simple query: one round trip fewer per
 * commit, which the group committer pays for every batch.
 */
export function fencedTransaction<T>(
  pool: pg.Pool,
  nodeId: string,
  work: (client: pg.PoolClient) => Promise<T>,
  options: { replicated?: boolean } = {},
): Promise<T> {
  return withClient(pool, async (client) => {
    const fence = FENCE_SQL.replace("$1", client.escapeLiteral(nodeId));
    const sync = options.replicated ? "set local synchronous_commit = remote_apply;" : "";
    try {
      const results = (await client.query(`begin;${sync}${fence}`)) as unknown as pg.QueryResult[];
      if (results[results.length - 1]!.rowCount === 0) throw new Fenced(nodeId);
      const result = await work(client);
      await client.query("commit");
      return result;
    } catch (err) {
      await client.query("rollback").catch(() => {});
      throw err;
    }
  });
}

/**
 * `fencedTransaction` whose first write is a COPY: BEGIN; prove `nodeId`'s
 * node lease; `copySql` with `framed` (see encodeMessageRows); `work`; COMMIT
 * — or roll back and throw (`Fenced` when the lease is gone).
 */
export function fencedCopyTransaction<T>(
  pool: pg.Pool,
  nodeId: string,
  copySql: string,
  framed: Buffer,
  work: (client: pg.PoolClient) => Promise<T>,
  options: { replicated?: boolean } = {},
): Promise<T> {
  return withClient(pool, async (client) => {
    const fence = FENCE_SQL.replace("$1", client.escapeLiteral(nodeId));
    const sync = options.replicated ? "set local synchronous_commit = remote_apply;" : "";
    try {
      await new Promise<void>((resolve, reject) => {
        const text = `begin;${sync}${fence};${copySql}`;
        client.query(
          new CopyIn(
            text,
            framed,
            (err, fenced) => {
              if (fenced) reject(new Fenced(nodeId));
              else if (err) reject(err);
              else resolve();
            },
            // The fence returned no row: no live lease, so nothing is copied.
            (fenceRows) => fenceRows > 0,
          ),
        );
      });
      const result = await work(client);
      await client.query("commit");
      return result;
    } catch (err) {
      await client.query("rollback").catch(() => {});
      throw err;
    }
  });
}
