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

interface FenceOptions {
  readonly replicated?: boolean;
}

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
  options: FenceOptions = {},
): Promise<T> {
  return inFence(pool, nodeId, options, work, async (client, head) => {
    const results = (await client.query(head)) as unknown as pg.QueryResult[];
    if (results[results.length - 1]!.rowCount === 0) throw new Fenced(nodeId);
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
  options: FenceOptions = {},
): Promise<T> {
  return inFence(pool, nodeId, options, work, (client, head) => {
    return new Promise<void>((resolve, reject) => {
      const done = (err: Error | undefined, fenced: boolean) => {
        if (fenced) reject(new Fenced(nodeId));
        else if (err) reject(err);
        else resolve();
      };
      // The fence returned no row: no live lease, so nothing is copied.
      client.query(new CopyIn(`${head};${copySql}`, framed, done, (fenceRows) => fenceRows > 0));
    });
  });
}

/** The transaction around both: `open` sends `head` (BEGIN, settings, the fence) and proves the lease. */
function inFence<T>(
  pool: pg.Pool,
  nodeId: string,
  options: FenceOptions,
  work: (client: pg.PoolClient) => Promise<T>,
  open: (client: pg.PoolClient, head: string) => Promise<void>,
): Promise<T> {
  return withClient(pool, async (client) => {
    const fence = FENCE_SQL.replace("$1", client.escapeLiteral(nodeId));
    const sync = options.replicated ? "set local synchronous_commit = remote_apply;" : "";
    try {
      await open(client, `begin;${sync}${fence}`);
      const result = await work(client);
      await client.query("commit");
      return result;
    } catch (err) {
      await client.query("rollback").catch(() => {});
      throw err;
    }
  });
}
