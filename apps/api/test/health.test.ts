import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool } from "@strata/db";
import { createTestDatabase } from "@strata/db/testing";
import { loadConfig } from "../src/config/env.js";
import { createApp } from "../src/http/create-app.js";
import { NodeIdentity } from "../src/cluster/node-identity.js";
import { startTestApp, type TestApp } from "./support/test-app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe("operations endpoints", () => {
  it("reports live and ready", async () => {
    expect(await (await fetch(`${t.baseUrl}/health/live`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${t.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      checks: { database: "ok", migrations: "ok" },
    });
  });

  it("exposes Prometheus metrics that count requests by route pattern", async () => {
    await fetch(`${t.baseUrl}/v1/admin/tenants/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    const text = await (await t.admin("GET", "/metrics")).text();
    expect(text).toMatch(
      /strata_http_requests_total\{method="GET",route="\/v1\/admin\/tenants\/:id",status="404"\} 1/,
    );
    expect(text).toContain("strata_process_cpu_seconds_total");
  });

  it("serves an OpenAPI document with the zod request schemas, and the docs page", async () => {
    const doc = (await (await fetch(`${t.baseUrl}/docs/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const create = doc.paths["/v1/admin/tenants"]?.post;
    expect(create?.requestBody?.content["application/json"]?.schema).toMatchObject({
      type: "object",
      required: ["name"],
      additionalProperties: false,
    });
    expect(doc.paths["/v1/whoami"]).toBeDefined();
    const page = await fetch(`${t.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain("/docs/openapi.json");
  });

  it("answers the overview for operators", async () => {
    const res = await t.admin("GET", "/v1/admin/overview");
    expect(await res.json()).toMatchObject({
      node: { id: expect.stringMatching(/^test-node-[0-9a-f]{8}$/) },
      ready: true,
      tenants: 0,
    });
  });
});

describe("readiness before migrations", () => {
  it("answers 503 naming the pending migrations", async () => {
    const db = await createTestDatabase({ migrate: false });
    const pool = createPool(db.url, { max: 2 });
    const app = await createApp({
      config: loadConfig({ DATABASE_URL: db.url, STRATA_LOG_LEVEL: "silent" }),
      pool,
      adminToken: "x".repeat(20),
      node: {
        identity: new NodeIdentity("n"),
        version: "t",
        startedAt: new Date(),
        roles: ["api"],
      },
    });
    try {
      const res = await app.inject({ method: "GET", url: "/health/ready" });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: "not_ready",
        checks: { database: "ok", migrations: expect.stringMatching(/^pending: \d+$/) },
      });
    } finally {
      await app.close();
      await pool.end();
      await db.drop();
    }
  });
});
