import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { freePort } from "@strata/db/embedded";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";
import { type NodeProcess, runNode, waitForOk } from "../../support/node-process.js";
import { requireRedis } from "../../support/redis.js";
import { TenantClient } from "../../support/tenant-client.js";

export interface ClusterNodeHandle {
  readonly index: number;
  readonly name: string;
  readonly port: number;
  readonly base: string;
  /** Environment of this node only (e.g. `STRATA_ROLE`), kept across restarts. */
  readonly env: Record<string, string>;
  proc: NodeProcess;
}

/** Timings short enough for tests: a dead node's lease runs out in 2 s. */
export const FAST_CLUSTER_ENV = {
  STRATA_LEASE_TTL_MS: "2000",
  STRATA_HEARTBEAT_MS: "300",
  STRATA_LOG_LEVEL: "error",
  STRATA_DEMO: "false",
};

/**
 * Real node processes on one fresh database and one Redis namespace, for
 * fault tests. Nodes are named node-0, node-1, … so placement is stable.
 */
export class LocalCluster {
  readonly nodes: ClusterNodeHandle[] = [];
  private readonly baseEnv: Record<string, string>;

  private constructor(
    readonly db: TestDatabase,
    readonly adminToken: string,
    redisUrl: string,
    extraEnv: Record<string, string>,
  ) {
    this.baseEnv = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      STRATA_REDIS_PREFIX: `t${randomBytes(4).toString("hex")}`,
      STRATA_ADMIN_TOKEN: adminToken,
      ...FAST_CLUSTER_ENV,
      ...extraEnv,
    };
  }

  static async start(
    n: number,
    extraEnv: Record<string, string> = {},
    redisUrl?: string,
  ): Promise<LocalCluster> {
    const cluster = new LocalCluster(
      await createTestDatabase(),
      `cluster-${randomBytes(12).toString("hex")}`,
      redisUrl ?? (await requireRedis()),
      extraEnv,
    );
    for (let i = 0; i < n; i++) await cluster.addNode();
    return cluster;
  }

  async addNode(env: Record<string, string> = {}): Promise<ClusterNodeHandle> {
    const index = this.nodes.length;
    const port = await freePort();
    const node: ClusterNodeHandle = {
      index,
      name: `node-${index}`,
      port,
      base: `http://127.0.0.1:${port}`,
      env,
      proc: this.spawn(index, port, env),
    };
    this.nodes.push(node);
    await waitForOk(`${node.base}/health/ready`, 30_000, node.proc);
    return node;
  }

  /** Starts a stopped node again (same name and port: a new incarnation). */
  async restart(i: number): Promise<void> {
    const node = this.nodes[i]!;
    node.proc = this.spawn(i, node.port, node.env);
    await waitForOk(`${node.base}/health/ready`, 30_000, node.proc);
  }

  node(name: string | null | undefined): ClusterNodeHandle {
    const found = this.nodes.find(
      (n) => name && (name === n.name || name.startsWith(`${n.name}-`)),
    );
    if (!found) throw new Error(`no node for ${name}`);
    return found;
  }

  running(): ClusterNodeHandle[] {
    return this.nodes.filter(
      (n) => n.proc.child.exitCode === null && n.proc.child.signalCode === null,
    );
  }

  admin(i = 0): TenantClient {
    return new TenantClient(this.nodes[i]!.base, this.adminToken);
  }

  /** Placement rows of one kind of resource, as the operator API lists them (via a running node). */
  async placements(
    kind: "stream" | "bucket" | "doc",
  ): Promise<{ resource: string; node_id: string | null; epoch: number }[]> {
    const res = await this.admin(this.running()[0]!.index).json<{
      items: { resource: string; node_id: string | null; epoch: number }[];
    }>("GET", `/v1/admin/placement?kind=${kind}&limit=1000`);
    return res.body.items;
  }

  /** A tenant with a streams key; returns its secret. */
  async tenantKey(): Promise<string> {
    const admin = this.admin(this.running()[0]!.index);
    const t = await admin.json<{ id: string }>("POST", "/v1/admin/tenants", {
      name: `t-${randomBytes(3).toString("hex")}`,
    });
    const k = await admin.json<{ secret: string }>("POST", `/v1/admin/tenants/${t.body.id}/keys`, {
      name: "k",
      scopes: ["streams:read", "streams:write"],
    });
    return k.body.secret;
  }

  async stop(i: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const proc = this.nodes[i]!.proc;
    if (proc.child.exitCode !== null) return;
    proc.child.kill(signal);
    if (signal !== "SIGSTOP") await proc.exited;
  }

  /** Saves a failing history where CI keeps test artifacts. */
  static keepArtifact(name: string, data: unknown): string {
    const dir = "apps/api/test-results/histories";
    mkdirSync(dir, { recursive: true });
    const file = `${dir}/${name}-${Date.now()}.json`;
    writeFileSync(file, JSON.stringify(data, null, 1));
    return file;
  }

  async close(): Promise<void> {
    for (const n of this.nodes) {
      n.proc.child.kill("SIGCONT");
      n.proc.child.kill("SIGKILL");
    }
    await this.db.drop().catch(() => {});
  }

  private spawn(index: number, port: number, env: Record<string, string> = {}): NodeProcess {
    return runNode({
      ...this.baseEnv,
      STRATA_PORT: String(port),
      STRATA_NODE_NAME: `node-${index}`,
      ...env,
    });
  }
}
