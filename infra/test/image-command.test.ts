import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { type JSONInstruction } from "dockerfile-ast";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";
import {
  copies,
  environment,
  execForm,
  healthcheckCommand,
  lineage,
  loadDockerfile,
  ofKind,
  stageNamed,
} from "./support/dockerfile.js";
import { REPO } from "./support/paths.js";
import { freePortInRange, run, type Running, waitForOk } from "./support/processes.js";

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** A stand-in for the ECS task metadata endpoint (v4): the task's own address. */
async function fakeTaskMetadata(address: string): Promise<string> {
  const port = await freePortInRange();
  const server: Server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ Networks: [{ NetworkMode: "awsvpc", IPv4Addresses: [address] }] }));
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  cleanup.push(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${port}/v4/task-metadata`;
}

describe("the api image's production command", () => {
  it("boots as the image runs it (entrypoint + CMD, image ENV) against PostgreSQL and answers /health/ready", async () => {
    const { stages } = loadDockerfile();
    const api = stageNamed(stages, "api");
    const [cmd] = ofKind<JSONInstruction>([api], "CMD");
    const [entry] = ofKind<JSONInstruction>([api], "ENTRYPOINT");
    const command = execForm(cmd!);
    const entrypoint = execForm(entry!);
    expect(command).toEqual(["node", "apps/api/dist/main.js"]);
    // The entrypoint is a file the image copies from the repo: run that file.
    const script = copies([api]).find((c) => c.dest === entrypoint[0])!.sources[0]!;

    const db: TestDatabase = await createTestDatabase({ migrate: false });
    cleanup.push(() => db.drop());
    const dataDir = mkdtempSync(join(tmpdir(), "strata-image-"));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePortInRange();
    const operator = randomBytes(24).toString("hex");
    const env: Record<string, string> = {
      PATH: [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
      HOME: dataDir,
      ...environment(lineage(api)),
      // What the ECS task definition and its secrets provide (infra/terraform/modules/service).
      STRATA_DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      STRATA_REDIS_PREFIX: `image-test-${randomBytes(4).toString("hex")}`,
      STRATA_ADMIN_TOKEN: operator,
      STRATA_CLUSTER_SECRET: randomBytes(24).toString("hex"),
      STRATA_ROLE: "api",
      STRATA_PORT: String(port),
      STRATA_HOST: "127.0.0.1",
      STRATA_BANNER: "false",
      STRATA_DEMO: "false",
      STRATA_LOG_LEVEL: "warn",
      ECS_CONTAINER_METADATA_URI_V4: await fakeTaskMetadata("127.0.0.2"),
    };
    expect(env.NODE_ENV).toBe("production");

    const node: Running = run("/bin/sh", [join(REPO, script), ...command], REPO, env);
    cleanup.push(() => node.child.exitCode === null && node.child.kill("SIGKILL"));
    const base = `http://127.0.0.1:${port}`;
    const ready = await waitForOk(`${base}/health/ready`, node);
    // It migrated the empty database itself.
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { database: "ok", migrations: "ok" },
    });

    // The image's HEALTHCHECK command passes against it.
    const [check, ...args] = healthcheckCommand(ofKind([api], "HEALTHCHECK")[0]!);
    const probe = run(check === "node" ? process.execPath : check!, args, REPO, env);
    expect(await probe.exited).toBe(0);

    // The entrypoint advertised the task's address from the metadata endpoint.
    const nodes = await fetch(`${base}/v1/admin/nodes`, {
      headers: { authorization: `Bearer ${operator}` },
    });
    expect(nodes.status).toBe(200);
    const { items } = (await nodes.json()) as { items: { address: string; roles: string[] }[] };
    expect(items).toEqual([
      expect.objectContaining({ address: `http://127.0.0.2:${port}`, roles: ["api"] }),
    ]);

    // ECS stops a task with SIGTERM: it reaches the node (exec), which drains and exits 0.
    node.child.kill("SIGTERM");
    expect(await node.exited).toBe(0);
  }, 60_000);
});
