import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@strata/db/embedded";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";
import { createPool, type Pool } from "@strata/db";
import { type NodeProcess, runNode, waitForOk } from "./support/node-process.js";

const token = `operator-${randomBytes(12).toString("hex")}`;
let db: TestDatabase;
let pool: Pool;
let node: NodeProcess;
let base: string;
let dataDir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = createPool(db.url, { max: 1 });
  dataDir = mkdtempSync(join(tmpdir(), "strata-log-redaction-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  node = runNode({
    DATABASE_URL: db.url,
    STRATA_PORT: String(port),
    STRATA_ADMIN_TOKEN: token,
    STRATA_DATA_DIR: dataDir,
    STRATA_LOG_LEVEL: "info",
    STRATA_DEMO: "false",
    STRATA_BANNER: "false",
  });
  await waitForOk(`${base}/health/ready`, 60_000, node);
});

afterAll(async () => {
  node?.child.kill("SIGKILL");
  await node?.exited;
  await pool?.end();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe("database errors in the node's log", () => {
  it("name the failure but not the statement's values (no key name, no secret hash)", async () => {
    const tenant = (await (await admin("POST", "/v1/admin/tenants", { name: "logs" })).json()) as {
      id: string;
    };
    // A constraint the API does not know about makes the key's INSERT fail in PostgreSQL, with
    // the whole row (secret hash included) in the error's detail and drizzle's params.
    await pool.query(
      "ALTER TABLE api_keys ADD CONSTRAINT no_marked_names CHECK (name NOT LIKE 'marked-%')",
    );
    const marker = `marked-${randomBytes(8).toString("hex")}`;
    const res = await admin("POST", `/v1/admin/tenants/${tenant.id}/keys`, {
      name: marker,
      scopes: ["streams:read"],
    });
    expect(res.status).toBe(500);
    const { request_id } = (await res.json()) as { request_id: string };

    let line: string | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      line = node
        .output()
        .split("\n")
        .find((l) => l.includes(request_id) && l.includes("unhandled error"));
      if (!line) await new Promise((r) => setTimeout(r, 50));
    }
    expect(line, node.output()).toBeDefined();
    // Still useful: what failed and where.
    expect(line).toContain("no_marked_names");
    expect(line).toContain("23514");
    // Never the values: the key's name, its SHA-256 secret hash (64 hex), the tenant id as a param.
    const out = node.output();
    expect(out).not.toContain(marker);
    expect(out).not.toMatch(/[0-9a-f]{64}/);
    expect(line).not.toContain("Failing row contains (");
  });
});
