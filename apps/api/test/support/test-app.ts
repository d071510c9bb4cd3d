import { randomBytes } from "node:crypto";
import { type NestFastifyApplication } from "@nestjs/platform-fastify";
import { createPool, type Pool } from "@strata/db";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";
import { loadConfig } from "../../src/config/env.js";
import { createApp } from "../../src/http/create-app.js";
import { NodeIdentity } from "../../src/cluster/node-identity.js";

export interface TestApp {
  readonly baseUrl: string;
  readonly adminToken: string;
  readonly db: TestDatabase;
  readonly pool: Pool;
  readonly app: NestFastifyApplication;
  /** fetch against the app, with the operator token unless `auth` says otherwise. */
  admin(method: string, path: string, body?: unknown, auth?: string | null): Promise<Response>;
  /** A tenant and one key with the given scopes/patterns; returns the key's secret too. */
  tenantWithKey(
    scopes: string[],
    options?: { patterns?: string[]; name?: string; expires_at?: string },
  ): Promise<{ tenantId: string; keyId: string; secret: string }>;
  /** Stops the app; drops the database unless `keepDatabase` (to start another app on it). */
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

/** The API in this process, on its own fresh database, listening on a random port. */
export async function startTestApp(
  env: Record<string, string> = {},
  reuse?: { db: TestDatabase; adminToken: string },
): Promise<TestApp> {
  const db = reuse?.db ?? (await createTestDatabase());
  const adminToken = reuse?.adminToken ?? `test-operator-${randomBytes(12).toString("hex")}`;
  const config = loadConfig({
    DATABASE_URL: db.url,
    STRATA_LOG_LEVEL: "silent",
    STRATA_ADMIN_TOKEN: adminToken,
    STRATA_DEMO: "false",
    ...env,
  });
  const pool = createPool(db.url, { max: 4 });
  const app = await createApp({
    config,
    pool,
    adminToken,
    node: {
      identity: new NodeIdentity("test-node"),
      version: "test",
      startedAt: new Date(),
      roles: ["api"],
    },
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.getHttpServer().address();
  const port = typeof address === "object" && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;

  const admin: TestApp["admin"] = (method, path, body, auth = adminToken) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });

  return {
    baseUrl,
    adminToken,
    db,
    pool,
    app,
    admin,
    async tenantWithKey(scopes, options = {}) {
      const name = options.name ?? `t-${randomBytes(4).toString("hex")}`;
      const tenant = (await (await admin("POST", "/v1/admin/tenants", { name })).json()) as {
        id: string;
      };
      const res = await admin("POST", `/v1/admin/tenants/${tenant.id}/keys`, {
        name: "test key",
        scopes,
        ...(options.patterns ? { patterns: options.patterns } : {}),
        ...(options.expires_at ? { expires_at: options.expires_at } : {}),
      });
      if (res.status !== 201)
        throw new Error(`key creation failed: ${res.status} ${await res.text()}`);
      const key = (await res.json()) as { id: string; secret: string };
      return { tenantId: tenant.id, keyId: key.id, secret: key.secret };
    },
    async close(options = {}) {
      await app.close();
      await pool.end();
      if (!options.keepDatabase) await db.drop();
    },
  };
}

/** GET with a tenant key. */
export function withKey(baseUrl: string, key: string | undefined, path: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
}
