import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@strata/db/embedded";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";

const API_MAIN = join(
  resolve(dirname(fileURLToPath(import.meta.url)), "../../../.."),
  "apps/api/dist/main.js",
);

export interface ApiNode {
  readonly name: string;
  readonly base: string;
  readonly child: ChildProcess;
  /** Its output, kept to explain a node that would not start. */
  readonly output: () => string;
  readonly exited: Promise<unknown>;
}

/**
 * Real API node processes (`apps/api/dist/main.js`) on one fresh database and
 * one Redis namespace, with the short leases of the cluster fault tests
 * (apps/api/test/cluster/support/local-cluster.ts): a silent node is dead
 * after 2 s. Nodes are named node-0, node-1, …
 */
export class ApiCluster {
  readonly nodes: ApiNode[] = [];

  private constructor(
    readonly db: TestDatabase,
    readonly adminToken: string,
    /** The cold tier (local object store) all nodes share. */
    readonly objectsDir: string,
    private readonly env: Record<string, string>,
  ) {}

  static async start(n: number): Promise<ApiCluster> {
    const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
    await requireReachable(redisUrl);
    const token = `e2e-operator-${randomBytes(12).toString("hex")}`;
    const db = await createTestDatabase();
    const objectsDir = mkdtempSync(join(tmpdir(), "strata-e2e-objects-"));
    const cluster = new ApiCluster(db, token, objectsDir, {
      DATABASE_URL: db.url,
      STRATA_OBJECTS_DRIVER: "local",
      STRATA_OBJECTS_DIR: objectsDir,
      REDIS_URL: redisUrl,
      STRATA_REDIS_PREFIX: `e2e${randomBytes(4).toString("hex")}`,
      STRATA_ADMIN_TOKEN: token,
      STRATA_LEASE_TTL_MS: "2000",
      STRATA_HEARTBEAT_MS: "300",
      STRATA_LOG_LEVEL: "error",
      STRATA_DEMO: "false",
      STRATA_BANNER: "false",
    });
    try {
      for (let i = 0; i < n; i++) await cluster.add();
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  private async add(): Promise<void> {
    const port = await freePort();
    const name = `node-${this.nodes.length}`;
    const child = spawn(process.execPath, [API_MAIN], {
      env: {
        NODE_ENV: "production",
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/root",
        ...this.env,
        STRATA_PORT: String(port),
        STRATA_NODE_NAME: name,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.on("exit", r));
    const node = { name, base: `http://127.0.0.1:${port}`, child, output: () => out, exited };
    this.nodes.push(node);
    await waitReady(node);
  }

  signal(i: number, signal: NodeJS.Signals): void {
    this.nodes[i]!.child.kill(signal);
  }

  async close(): Promise<void> {
    for (const n of this.nodes) {
      n.child.kill("SIGCONT");
      n.child.kill("SIGKILL");
    }
    await this.db.drop().catch(() => {});
    rmSync(this.objectsDir, { recursive: true, force: true });
  }
}

async function waitReady(node: ApiNode): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (node.child.exitCode !== null) {
      throw new Error(
        `${node.name} exited (${node.child.exitCode}) while starting:\n${node.output()}`,
      );
    }
    const ok = await fetch(`${node.base}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${node.name} not ready within 30 s:\n${node.output()}`);
}

async function requireReachable(redisUrl: string): Promise<void> {
  const url = new URL(redisUrl);
  const reachable = await new Promise<boolean>((done) => {
    const socket = createConnection(Number(url.port || 6379), url.hostname);
    socket.setTimeout(2000);
    socket.once("connect", () => {
      socket.end();
      done(true);
    });
    socket.once("error", () => done(false));
    socket.once("timeout", () => {
      socket.destroy();
      done(false);
    });
  });
  if (!reachable) {
    throw new Error(
      `Redis is not reachable at ${redisUrl}. Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no — or set REDIS_URL.`,
    );
  }
}
