import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@strata/db/embedded";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";
import { requireRedis } from "../support/redis.js";

const CLI = fileURLToPath(new URL("../../dist/cluster-cli.js", import.meta.url));

const children: ChildProcess[] = [];
const dirs: string[] = [];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve(null);
          c.once("exit", resolve);
          c.kill("SIGTERM");
        }),
    ),
  );
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const db of dbs) await db.drop();
});

function runCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((r) =>
    child.on("exit", (code, signal) => r(code ?? signal ?? "unknown")),
  );
  return { output: () => out, exited };
}

async function until(check: () => boolean, what: () => string, exited: Promise<unknown>) {
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 1200 && !check(); i++) {
    if (done) throw new Error(`the cluster exited before ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!check()) throw new Error(`timed out waiting: ${what()}`);
}

describe("npm run cluster", () => {
  it("starts on a fresh data dir with STRATA_ADMIN_TOKEN set, and prints that token", async () => {
    const db = await createTestDatabase();
    dbs.push(db);
    const dataDir = mkdtempSync(join(tmpdir(), "strata-cluster-cli-"));
    dirs.push(dataDir);
    const token = "operator-token-from-the-environment";
    const port = await freePort();
    const adminPort = await freePort();
    const args = ["--nodes", "1", "--base-port", String(port), "--admin-port", String(adminPort)];
    const cli = runCli(args, {
      DATABASE_URL: db.url,
      REDIS_URL: await requireRedis(),
      STRATA_ADMIN_TOKEN: token,
      STRATA_DATA_DIR: dataDir,
      STRATA_REDIS_PREFIX: `cli-${port}`,
    });
    await until(
      () => /Operator token: /.test(cli.output()),
      () => `the operator token line:\n${cli.output()}`,
      cli.exited,
    );
    expect(cli.output()).toContain(`Operator token: ${token}`);
    const res = await fetch(`http://127.0.0.1:${port}/v1/admin/overview`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });

  it("validates its settings like a node does, naming the bad variable", async () => {
    const cli = runCli(["--nodes", "1"], {
      STRATA_ADMIN_TOKEN: "short",
      DATABASE_URL: "mysql://nope",
    });
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toMatch(/STRATA_ADMIN_TOKEN: must be at least 16 characters/);
    expect(cli.output()).toMatch(/DATABASE_URL: must be a postgres/);
  });
});
