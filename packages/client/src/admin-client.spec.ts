import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startStubServer, type StubServer } from "../test/stub-server.js";
import { StrataAdminClient } from "./admin-client.js";
import { StrataError } from "./errors.js";

const TOKEN = "operator-token";
const TENANT = {
  id: "7b6f7c44-0c8a-4a56-9d4e-5f0a3f0b9b11",
  name: "acme",
  status: "active",
  created_at: "2025-01-31T12:00:00.000Z",
  updated_at: "2025-01-31T12:00:00.000Z",
};

describe(StrataAdminClient.name, () => {
  let server: StubServer;
  let client: StrataAdminClient;

  beforeAll(async () => {
    server = await startStubServer();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    server.reply({ body: {} });
    client = new StrataAdminClient({ baseUrl: server.url, token: TOKEN });
  });

  function last() {
    const req = server.requests.at(-1);
    if (!req) throw new Error("no request reached the stub server");
    return req;
  }

  it("sends the operator token and asks for JSON", async () => {
    const overview = {
      node: { id: "n1", version: "0.1.0", started_at: TENANT.created_at, roles: ["api"] },
      ready: true,
      checks: { database: "ok", migrations: "ok" },
      tenants: 3,
    };
    server.reply({ body: overview });

    await expect(client.overview()).resolves.toEqual(overview);
    expect(last()).toMatchObject({ method: "GET", url: "/v1/admin/overview" });
    expect(last().headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(last().headers.accept).toContain("application/problem+json");
    expect(last().headers["content-type"]).toBeUndefined();
  });

  it("puts page parameters in the query and leaves out the ones not given", async () => {
    server.reply({ body: { items: [TENANT], next_after: "acme" } });

    await expect(client.listTenants({ limit: 2, after: "a&b c" })).resolves.toEqual({
      items: [TENANT],
      next_after: "acme",
    });
    expect(last().url).toBe("/v1/admin/tenants?limit=2&after=a%26b+c");

    await client.listTenants();
    expect(last().url).toBe("/v1/admin/tenants");
  });

  it("sends bodies as JSON", async () => {
    server.reply({ status: 201, body: TENANT });
    await expect(client.createTenant("acme")).resolves.toEqual(TENANT);
    expect(last()).toMatchObject({ method: "POST", url: "/v1/admin/tenants" });
    expect(last().headers["content-type"]).toBe("application/json");
    expect(JSON.parse(last().body)).toEqual({ name: "acme" });

    server.reply({ body: { ...TENANT, status: "suspended" } });
    await client.updateTenant(TENANT.id, { status: "suspended" });
    expect(last()).toMatchObject({ method: "PATCH", url: `/v1/admin/tenants/${TENANT.id}` });
    expect(JSON.parse(last().body)).toEqual({ status: "suspended" });
  });

  it("resolves with undefined for 204 No Content", async () => {
    server.reply({ status: 204 });
    await expect(client.deleteTenant(TENANT.id)).resolves.toBeUndefined();
    expect(last()).toMatchObject({ method: "DELETE", url: `/v1/admin/tenants/${TENANT.id}` });
  });

  it("addresses keys under their tenant and encodes ids as one path segment", async () => {
    const key = { name: "ci", scopes: ["streams:read"], patterns: ["orders.>"] } as const;
    server.reply({ status: 201, body: { id: "k1", secret: "sk_x_y" } });
    await client.createKey("t/1", key);
    expect(last()).toMatchObject({ method: "POST", url: "/v1/admin/tenants/t%2F1/keys" });
    expect(JSON.parse(last().body)).toEqual(key);

    server.reply({ body: { items: [] } });
    await expect(client.listKeys("t1")).resolves.toEqual({ items: [] });
    expect(last()).toMatchObject({ method: "GET", url: "/v1/admin/tenants/t1/keys" });

    await client.revokeKey("t1", "k?1");
    expect(last()).toMatchObject({ method: "DELETE", url: "/v1/admin/tenants/t1/keys/k%3F1" });

    expect(() => client.getTenant("..")).toThrow(TypeError);
  });

  it("answers readiness with the body when the node is not ready (503)", async () => {
    const notReady = { status: "not_ready", checks: { database: "ok", migrations: "pending: 2" } };
    server.reply({ status: 503, body: notReady });
    await expect(client.health()).resolves.toEqual(notReady);
    expect(last()).toMatchObject({ method: "GET", url: "/health/ready" });

    server.reply({ status: 500, body: "boom" });
    await expect(client.health()).rejects.toBeInstanceOf(StrataError);
  });

  it("keeps a path prefix of the base URL and drops its trailing slash", async () => {
    const prefixed = new StrataAdminClient({ baseUrl: `${server.url}/strata/`, token: TOKEN });
    expect(prefixed.baseUrl).toBe(`${server.url}/strata`);
    await prefixed.overview();
    expect(last().url).toBe("/strata/v1/admin/overview");
  });

  it("refuses a base URL that is not http(s) and an empty token", () => {
    expect(() => new StrataAdminClient({ baseUrl: "localhost:8080", token: TOKEN })).toThrow(
      /http or https/,
    );
    expect(() => new StrataAdminClient({ baseUrl: "not a url", token: TOKEN })).toThrow(
      /not a URL/,
    );
    expect(() => new StrataAdminClient({ baseUrl: server.url, token: "" })).toThrow(/token/);
  });

  it("uses the fetch it is given", async () => {
    const seen: string[] = [];
    const traced = new StrataAdminClient({
      baseUrl: server.url,
      token: TOKEN,
      fetch: (input, init) => {
        seen.push(`${init.method} ${input}`);
        return fetch(input, init);
      },
    });
    await traced.overview();
    expect(seen).toEqual([`GET ${server.url}/v1/admin/overview`]);
  });
});
