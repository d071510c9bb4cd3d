import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { TenantClient } from "../support/tenant-client.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe("operator document list", () => {
  it("reports a document with no snapshot yet as all change rows, with no snapshot tier", async () => {
    const { tenantId, secret } = await t.tenantWithKey(["docs:read", "docs:write"]);
    const docs = new TenantClient(t.baseUrl, secret);
    const created = await docs.json<{ document_id: string }>("POST", "/v1/docs", { n: 1 });
    expect(created.status).toBe(201);

    const res = await t.admin("GET", `/v1/admin/docs?tenant=${tenantId}`);
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Record<string, unknown>[] };
    expect(items).toEqual([
      expect.objectContaining({
        document_id: created.body.document_id,
        tenant_id: tenantId,
        changes: expect.any(Number),
        snapshots: 0,
        snapshot_tier: null,
      }),
    ]);
    expect(items[0]!.changes).toBeGreaterThan(0);
  });

  it("shows one document's content as JSON, by tenant name or id; another tenant's document is 404", async () => {
    const { tenantId, secret } = await t.tenantWithKey(["docs:read", "docs:write"]);
    const docs = new TenantClient(t.baseUrl, secret);
    const { body } = await docs.json<{ document_id: string }>("POST", "/v1/docs", {
      title: "plan",
      items: [1, 2],
    });
    const res = await t.admin("GET", `/v1/admin/docs/${tenantId}/${body.document_id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      tenant: { id: tenantId },
      document_id: body.document_id,
      content: { title: "plan", items: [1, 2] },
    });
    const other = await t.tenantWithKey(["docs:read"]);
    const wrong = await t.admin("GET", `/v1/admin/docs/${other.tenantId}/${body.document_id}`);
    expect(wrong.status).toBe(404);
    expect(wrong.headers.get("content-type")).toMatch(/application\/problem\+json/);
  });
});
