import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { TenantClient } from "../support/tenant-client.js";

let t: TestApp;
let writer: TenantClient;
let reader: TenantClient;

beforeAll(async () => {
  t = await startTestApp();
  const { tenantId, secret } = await t.tenantWithKey(["streams:read", "streams:write"]);
  writer = new TenantClient(t.baseUrl, secret);
  const res = await t.admin("POST", `/v1/admin/tenants/${tenantId}/keys`, {
    name: "reader",
    scopes: ["streams:read"],
  });
  reader = new TenantClient(t.baseUrl, ((await res.json()) as { secret: string }).secret);
  await writer.createStream("jobs");
  await writer.append("jobs", { messages: [{ value_text: "a" }, { value_text: "b" }] });
});
afterAll(() => t?.close());

describe("durable consumer scopes (finding 5)", () => {
  it("refuses to create a consumer with a streams:read key (403), creates it with streams:write", async () => {
    const denied = await reader.json("PUT", "/v1/streams/jobs/consumers/billing", {});
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("forbidden");
    expect((await reader.json("GET", "/v1/streams/jobs/consumers/billing")).status).toBe(404);
    expect((await writer.json("PUT", "/v1/streams/jobs/consumers/billing", {})).status).toBe(201);
  });

  it("lets a streams:read key ack (the read side of a consumer), but not delete it", async () => {
    await writer.json("PUT", "/v1/streams/jobs/consumers/audit", {});
    const ack = await reader.json("POST", "/v1/streams/jobs/consumers/audit/ack", { seq: 1 });
    expect(ack.status).toBe(200);
    const denied = await reader.json("DELETE", "/v1/streams/jobs/consumers/audit");
    expect(denied.status).toBe(403);
    expect((await reader.json("GET", "/v1/streams/jobs/consumers/audit")).status).toBe(200);
    expect((await writer.request("DELETE", "/v1/streams/jobs/consumers/audit")).status).toBe(204);
  });

  it("does not create a consumer by acking it", async () => {
    const ack = await reader.json("POST", "/v1/streams/jobs/consumers/ghost/ack", { seq: 1 });
    expect(ack.status).toBe(404);
  });
});
