import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp, withKey } from "./support/test-app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

async function problem(res: Response) {
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  return (await res.json()) as { status: number; code: string; detail: string };
}

describe("tenant key authentication", () => {
  it("answers whoami with the tenant, key, scopes and patterns", async () => {
    const { tenantId, keyId, secret } = await t.tenantWithKey(["streams:read"], {
      patterns: ["orders.>"],
    });
    const res = await withKey(t.baseUrl, secret, "/v1/whoami");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      tenant: { id: tenantId },
      key: { id: keyId },
      scopes: ["streams:read"],
      patterns: ["orders.>"],
    });
  });

  it.each([
    ["no header", undefined],
    ["a malformed key", "not-a-key"],
    ["an unknown key", `sk_aaaaaaaaaaaa_${"A".repeat(43)}`],
  ])("answers 401 problem+json for %s", async (_, key) => {
    const res = await withKey(t.baseUrl, key, "/v1/whoami");
    expect(res.status).toBe(401);
    expect((await problem(res)).code).toBe("unauthenticated");
  });

  it("answers 401 for a known prefix with the wrong secret", async () => {
    const { secret } = await t.tenantWithKey(["kv:read"]);
    const forged = `${secret.slice(0, 16)}${"B".repeat(43)}`;
    expect((await withKey(t.baseUrl, forged, "/v1/whoami")).status).toBe(401);
  });

  it("does not accept the operator token as a tenant key", async () => {
    expect((await withKey(t.baseUrl, t.adminToken, "/v1/whoami")).status).toBe(401);
  });
});

describe("scopes and name patterns", () => {
  it("answers 403 for a scope the key lacks and 200 for one it has", async () => {
    const { secret } = await t.tenantWithKey(["streams:read"]);
    expect((await withKey(t.baseUrl, secret, "/v1/whoami/access?scope=streams:read")).status).toBe(
      200,
    );
    const res = await withKey(t.baseUrl, secret, "/v1/whoami/access?scope=streams:write");
    expect(res.status).toBe(403);
    const body = await problem(res);
    expect(body.code).toBe("forbidden");
    expect(body.detail).toMatch(/streams:write/);
  });

  it("admits only names the key's patterns match", async () => {
    const { secret } = await t.tenantWithKey(["streams:write"], {
      patterns: ["orders.*", "audit.>"],
    });
    const check = (name: string) =>
      withKey(t.baseUrl, secret, `/v1/whoami/access?scope=streams:write&name=${name}`).then(
        (r) => r.status,
      );
    expect(await check("orders.eu")).toBe(200);
    expect(await check("audit.2026.11")).toBe(200);
    expect(await check("orders")).toBe(403);
    expect(await check("orders.eu.west")).toBe(403);
    expect(await check("billing.eu")).toBe(403);
  });

  it("rejects an unknown scope or a bad name with a 400 naming the query field", async () => {
    const { secret } = await t.tenantWithKey(["streams:write"]);
    const res = await withKey(
      t.baseUrl,
      secret,
      "/v1/whoami/access?scope=streams:write&name=bad%20name",
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { path: string }[] };
    expect(body.errors[0]!.path).toBe("query.name");
    const scope = await withKey(t.baseUrl, secret, "/v1/whoami/access?scope=root");
    expect(((await scope.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe(
      "query.scope",
    );
  });
});
