import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@strata/db/embedded";
import { type NodeProcess, runNode, waitForOk, waitForOutput } from "./support/node-process.js";

const running: NodeProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const p of running) p.child.kill("SIGKILL");
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function postgresProcessesFor(dataDir: string): number {
  try {
    return execFileSync("pgrep", ["-f", "--", `-D ${dataDir}`], { encoding: "utf8" })
      .trim()
      .split("\n")
      .filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when nothing matches
  }
}

describe("configuration errors", () => {
  it("names every bad variable in one message and exits with code 1", async () => {
    const p = runNode({
      STRATA_PORT: "http",
      DATABASE_URL: "mysql://x",
      STRATA_ROLE: "api,chef",
      STRATA_KEY_CACHE_MS: "60000",
    });
    expect(await p.exited).toBe(1);
    const out = p.output();
    expect(out).toMatch(/Invalid configuration/);
    expect(out).toMatch(/STRATA_PORT: must be a port number \(got "http"\)/);
    expect(out).toMatch(/DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(out).toMatch(/STRATA_ROLE: each role must be one of: api, worker/);
    expect(out).toMatch(/STRATA_KEY_CACHE_MS: must be at most 5000/);
    // Secrets and URLs are not echoed back.
    expect(out).not.toContain("mysql://x");
  });
});

describe("embedded default (no DATABASE_URL)", () => {
  it("starts PostgreSQL, migrates, prints working credentials, stops cleanly and reuses the data", async () => {
    const root = mkdtempSync(join(tmpdir(), "strata-embedded-"));
    // mkdtemp makes 0700; the embedded server runs as `postgres` and must get in, as in a checkout.
    chmodSync(root, 0o755);
    dirs.push(root);
    const dataDir = join(root, ".strata");
    const port = await freePort();
    const env = { STRATA_DATA_DIR: dataDir, STRATA_PORT: String(port), STRATA_LOG_LEVEL: "warn" };
    const base = `http://127.0.0.1:${port}`;

    const first = runNode(env);
    running.push(first);
    await waitForOk(`${base}/health/ready`, 60_000, first);
    const demoKey = (await waitForOutput(first, /Demo key\s+(sk_\S+)[ \t]*\n/, 30_000))[1];
    const operator = /Operator\s+(\S+)/.exec(first.output())?.[1];
    expect(demoKey).toBeDefined();
    expect(operator).toBeDefined();
    expect(statSync(join(dataDir, "admin-token")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, "admin-token"), "utf8").trim()).toBe(operator);

    const who = await fetch(`${base}/v1/whoami`, {
      headers: { authorization: `Bearer ${demoKey}` },
    });
    expect(((await who.json()) as { tenant: { name: string } }).tenant.name).toBe("demo");
    const tenants = await fetch(`${base}/v1/admin/tenants`, {
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(tenants.status).toBe(200);
    expect(postgresProcessesFor(join(dataDir, "pg"))).toBeGreaterThan(0);

    first.child.kill("SIGINT");
    expect(await first.exited).toBe(0);
    expect(postgresProcessesFor(join(dataDir, "pg"))).toBe(0);
    expect(existsSync(join(dataDir, "pg", "postmaster.pid"))).toBe(false);

    // A second start finds the same data: the same operator token and demo key still work.
    const second = runNode(env);
    running.push(second);
    await waitForOk(`${base}/health/ready`, 60_000, second);
    await waitForOutput(second, /Demo key\s+sk_\S+[ \t]*\n/, 30_000);
    expect(second.output()).toContain(demoKey!);
    const again = await fetch(`${base}/v1/whoami`, {
      headers: { authorization: `Bearer ${demoKey}` },
    });
    expect(again.status).toBe(200);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(postgresProcessesFor(join(dataDir, "pg"))).toBe(0);
  }, 120_000);
});
