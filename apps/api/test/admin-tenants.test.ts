import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, withKey } from "./support/test-app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ STRATA_KEY_CACHE_MS: "1000" });
});
afterAll(() => t?.close());

async function auditActions(): Promise<string[]> {
  const { rows } = await t.pool.query<{ action: string }>(
    "select action from audit_log order by id",
  );
  return rows.map((r) => r.action);
}

describe("admin tenants API", () => {
  it("refuses requests without the operator token", async () => {
    const none = await t.admin("GET", "/v1/admin/tenants", undefined, null);
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toMatch(/application\/problem\+json/);
    const wrong = await t.admin("GET", "/v1/admin/tenants", undefined, "not-the-token");
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { code: string }).code).toBe("unauthenticated");
  });

  it("creates, lists by page, renames, suspends and deletes tenants, auditing each action", async () => {
    const before = (await auditActions()).length;
    const names = ["acme", "bravo", "charlie"];
    const ids: string[] = [];
    for (const name of names) {
      const res = await t.admin("POST", "/v1/admin/tenants", { name });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { id: string; name: string; status: string };
      expect(body).toMatchObject({ name, status: "active" });
      ids.push(body.id);
    }
    const dup = await t.admin("POST", "/v1/admin/tenants", { name: "acme" });
    expect(dup.status).toBe(409);

    const page1 = (await (await t.admin("GET", "/v1/admin/tenants?limit=2")).json()) as {
      items: { name: string }[];
      next_after: string | null;
    };
    expect(page1.items.map((i) => i.name)).toEqual(["acme", "bravo"]);
    expect(page1.next_after).toBe("bravo");
    const page2 = (await (
      await t.admin("GET", `/v1/admin/tenants?limit=2&after=bravo`)
    ).json()) as {
      items: { name: string }[];
      next_after: string | null;
    };
    expect(page2.items.map((i) => i.name)).toEqual(["charlie"]);
    expect(page2.next_after).toBeNull();

    const renamed = await t.admin("PATCH", `/v1/admin/tenants/${ids[2]}`, { name: "delta" });
    expect(((await renamed.json()) as { name: string }).name).toBe("delta");
    const suspended = await t.admin("PATCH", `/v1/admin/tenants/${ids[1]}`, {
      status: "suspended",
    });
    expect(((await suspended.json()) as { status: string }).status).toBe("suspended");

    expect((await t.admin("DELETE", `/v1/admin/tenants/${ids[0]}`)).status).toBe(204);
    expect((await t.admin("GET", `/v1/admin/tenants/${ids[0]}`)).status).toBe(404);
    expect((await t.admin("DELETE", `/v1/admin/tenants/${ids[0]}`)).status).toBe(404);

    expect((await auditActions()).slice(before)).toEqual([
      "tenant.create",
      "tenant.create",
      "tenant.create",
      "tenant.update",
      "tenant.update",
      "tenant.delete",
    ]);
  });

  it("rejects a bad tenant id, an empty patch and a bad status, writing nothing", async () => {
    const before = (await auditActions()).length;
    const badId = await t.admin("GET", "/v1/admin/tenants/not-a-uuid");
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe(
      "path.id",
    );
    const { tenantId } = await t.tenantWithKey(["kv:read"]);
    const empty = await t.admin("PATCH", `/v1/admin/tenants/${tenantId}`, {});
    expect(empty.status).toBe(400);
    const badStatus = await t.admin("PATCH", `/v1/admin/tenants/${tenantId}`, { status: "gone" });
    expect(badStatus.status).toBe(400);
    expect(((await badStatus.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe(
      "status",
    );
    // Only the fixture's tenant.create and key.create were written.
    expect((await auditActions()).slice(before)).toEqual(["tenant.create", "key.create"]);
  });
});

describe("admin keys API", () => {
  it("shows a key's secret once, stores only its hash, and lists it without the secret", async () => {
    const { tenantId, keyId, secret } = await t.tenantWithKey(["streams:read", "streams:write"], {
      patterns: ["orders.*"],
    });
    expect(secret).toMatch(/^sk_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    const list = (await (await t.admin("GET", `/v1/admin/tenants/${tenantId}/keys`)).json()) as {
      items: Record<string, unknown>[];
    };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      id: keyId,
      scopes: ["streams:read", "streams:write"],
      patterns: ["orders.*"],
    });
    expect(JSON.stringify(list)).not.toContain(secret.slice("sk_".length + 12 + 1));
    const { rows } = await t.pool.query("select secret_hash from api_keys where id = $1", [keyId]);
    expect(rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].secret_hash).not.toContain(secret.slice("sk_".length + 12 + 1));
  });

  it("stops accepting a revoked key within the cache window", async () => {
    const { tenantId, keyId, secret } = await t.tenantWithKey(["kv:read"]);
    expect((await withKey(t.baseUrl, secret, "/v1/whoami")).status).toBe(200);
    const revoked = await t.admin("DELETE", `/v1/admin/tenants/${tenantId}/keys/${keyId}`);
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revoked_at: string | null }).revoked_at).not.toBeNull();
    // This node drops its cache on revoke; other nodes re-read within STRATA_KEY_CACHE_MS (1 s here).
    const res = await withKey(t.baseUrl, secret, "/v1/whoami");
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/revoked/);
  });

  it("re-reads a key after the cache window, so a revocation made elsewhere bites within it", async () => {
    const { keyId, secret } = await t.tenantWithKey(["kv:read"]);
    expect((await withKey(t.baseUrl, secret, "/v1/whoami")).status).toBe(200);
    // Revoke behind the API's back, as another node would.
    await t.pool.query("update api_keys set revoked_at = now() where id = $1", [keyId]);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await withKey(t.baseUrl, secret, "/v1/whoami")).status).toBe(401);
  });

  it("accepts a key until it expires, then refuses it", async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const { secret } = await t.tenantWithKey(["docs:read"], { expires_at: expiresAt });
    expect((await withKey(t.baseUrl, secret, "/v1/whoami")).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1700));
    const res = await withKey(t.baseUrl, secret, "/v1/whoami");
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/expired/);
  });

  it("rejects an expiry in the past and unknown scopes", async () => {
    const { tenantId } = await t.tenantWithKey(["kv:read"]);
    const past = await t.admin("POST", `/v1/admin/tenants/${tenantId}/keys`, {
      name: "old",
      scopes: ["kv:read"],
      expires_at: "2000-01-01T00:00:00Z",
    });
    expect(past.status).toBe(400);
    expect(((await past.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe(
      "expires_at",
    );
    const scope = await t.admin("POST", `/v1/admin/tenants/${tenantId}/keys`, {
      name: "x",
      scopes: ["kv:admin"],
    });
    expect(scope.status).toBe(400);
    expect(((await scope.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe(
      "scopes.0",
    );
    const keys = (await (await t.admin("GET", `/v1/admin/tenants/${tenantId}/keys`)).json()) as {
      items: unknown[];
    };
    expect(keys.items).toHaveLength(1);
  });

  it("answers 404 when revoking a key through another tenant's path", async () => {
    const a = await t.tenantWithKey(["kv:read"]);
    const b = await t.tenantWithKey(["kv:read"]);
    const res = await t.admin("DELETE", `/v1/admin/tenants/${a.tenantId}/keys/${b.keyId}`);
    expect(res.status).toBe(404);
    expect((await withKey(t.baseUrl, b.secret, "/v1/whoami")).status).toBe(200);
  });

  it("refuses keys of a suspended tenant and accepts them again when it is reactivated", async () => {
    const { tenantId, secret } = await t.tenantWithKey(["kv:read"]);
    await t.admin("PATCH", `/v1/admin/tenants/${tenantId}`, { status: "suspended" });
    const res = await withKey(t.baseUrl, secret, "/v1/whoami");
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/suspended/);
    await t.admin("PATCH", `/v1/admin/tenants/${tenantId}`, { status: "active" });
    expect((await withKey(t.baseUrl, secret, "/v1/whoami")).status).toBe(200);
  });

  it("deletes a tenant's keys with the tenant", async () => {
    const { tenantId, secret } = await t.tenantWithKey(["kv:read"]);
    await t.admin("DELETE", `/v1/admin/tenants/${tenantId}`);
    expect((await withKey(t.baseUrl, secret, "/v1/whoami")).status).toBe(401);
    const { rows } = await t.pool.query(
      "select count(*)::int as n from api_keys where tenant_id = $1",
      [tenantId],
    );
    expect(rows[0].n).toBe(0);
  });
});
