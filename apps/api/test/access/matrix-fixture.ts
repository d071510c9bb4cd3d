import { expect } from "vitest";
import { type TestApp } from "../support/test-app.js";
import { SCOPES, type Scope } from "@strata/core";

/**
 * The world the authorization matrix probes: tenant A owning one resource of
 * each kind (distinctive names, so a leak into B's answers is visible), tenant
 * B, A's keys each lacking one scope, A's revoked key and a suspended tenant's key.
 */

export const ALL_SCOPES = SCOPES;
export type { Scope };

export const STREAM = "alpha-orders";
export const CONSUMER = "alpha-billing";
export const BUCKET = "alpha-config";
export const KEY = "alpha-key";
/** A crdt bucket: its keys live in one Automerge document, served by another code path. */
export const CRDT_BUCKET = "alpha-crdt";

export interface Fixture {
  tenantA: string;
  keyIdA: string;
  full: string;
  other: string;
  lacking: Record<Scope, string>;
  revoked: string;
  /** A's key past its `expires_at`, and the key of a tenant that was deleted. */
  expired: string;
  deletedTenant: string;
  suspended: string;
  /** A's key with every scope, but name patterns that admit none of A's resources. */
  patterned: string;
  docId: string;
  heads: string;
  /** The document's changes as `GET …/changes` gives them: a valid body for `POST …/changes`. */
  changes: Uint8Array;
  /** The same credentials as short-lived tokens (`st_…`), minted while their key was still good. */
  tokens: {
    full: string;
    lacking: Record<Scope, string>;
    revoked: string;
    deletedTenant: string;
    suspended: string;
  };
}

/** A short-lived token minted from `key`, with `scopes` (default: all the key's). */
async function mint(t: TestApp, key: string, scopes?: readonly string[]): Promise<string> {
  const res = await fetch(`${t.baseUrl}/v1/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ ttl_seconds: 3600, ...(scopes ? { scopes } : {}) }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

async function key(t: TestApp, tenant: string, scopes: readonly string[], name: string) {
  const res = await t.admin("POST", `/v1/admin/tenants/${tenant}/keys`, { name, scopes });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

async function ok(res: Promise<Response>, status: number) {
  const r = await res;
  if (r.status !== status) throw new Error(`setup: ${r.status} ${await r.text()}`);
  return r;
}

export async function buildFixture(t: TestApp): Promise<Fixture> {
  const a = await t.tenantWithKey([...ALL_SCOPES], { name: "matrix-a" });
  const as = (method: string, path: string, body?: unknown, type = "application/json") =>
    fetch(`${t.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${a.secret}`,
        ...(body !== undefined ? { "content-type": type } : {}),
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  await ok(as("PUT", `/v1/streams/${STREAM}`, {}), 201);
  await ok(as("POST", `/v1/streams/${STREAM}/messages`, { messages: [{ value_text: "m1" }] }), 201);
  await ok(as("PUT", `/v1/streams/${STREAM}/consumers/${CONSUMER}`, {}), 201);
  await ok(as("PUT", `/v1/kv/${BUCKET}`, {}), 201);
  await ok(as("PUT", `/v1/kv/${BUCKET}/keys/${KEY}`, "v1", "application/octet-stream"), 200);
  await ok(as("PUT", `/v1/kv/${CRDT_BUCKET}`, { mode: "crdt" }), 201);
  await ok(as("PUT", `/v1/kv/${CRDT_BUCKET}/keys/${KEY}`, "v1", "application/octet-stream"), 200);
  const doc = (await (await ok(as("POST", "/v1/docs", { title: "alpha" }), 201)).json()) as {
    document_id: string;
    heads: string[];
  };

  const changes = new Uint8Array(
    await (await ok(as("GET", `/v1/docs/${doc.document_id}/changes`), 200)).arrayBuffer(),
  );

  const b = await t.tenantWithKey([...ALL_SCOPES], { name: "matrix-b" });
  const lacking = {} as Record<Scope, string>;
  const lackingTokens = {} as Record<Scope, string>;
  for (const s of ALL_SCOPES) {
    const scopes = ALL_SCOPES.filter((x) => x !== s);
    lacking[s] = (await key(t, a.tenantId, scopes, `without ${s}`)).secret;
    // Narrowed from the full key: a token's own scopes bind, not its key's.
    lackingTokens[s] = await mint(t, a.secret, scopes);
  }
  const patterned = await ok(
    t.admin("POST", `/v1/admin/tenants/${a.tenantId}/keys`, {
      name: "beta only",
      scopes: ALL_SCOPES,
      patterns: ["beta.>"],
    }),
    201,
  );
  const revoked = await key(t, a.tenantId, ALL_SCOPES, "revoked");
  const revokedToken = await mint(t, revoked.secret);
  const expired = await key(t, a.tenantId, ALL_SCOPES, "expired");
  // Straight to the row: the API refuses an expiry in the past, and waiting for one is slow.
  await t.pool.query("update api_keys set expires_at = now() - interval '1 minute' where id = $1", [
    expired.id,
  ]);
  const d = await t.tenantWithKey([...ALL_SCOPES], { name: "matrix-deleted" });
  const deletedToken = await mint(t, d.secret);
  await ok(t.admin("DELETE", `/v1/admin/tenants/${d.tenantId}`), 204);
  await ok(t.admin("DELETE", `/v1/admin/tenants/${a.tenantId}/keys/${revoked.id}`), 200);

  // Its own copy of A's resources, so that the only thing wrong with its key is the suspension.
  const c = await t.tenantWithKey([...ALL_SCOPES], { name: "matrix-suspended" });
  const cs = (path: string, body: unknown) =>
    fetch(`${t.baseUrl}${path}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${c.secret}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await ok(cs(`/v1/streams/${STREAM}`, {}), 201);
  await ok(cs(`/v1/kv/${BUCKET}`, {}), 201);
  const suspendedToken = await mint(t, c.secret);
  await ok(t.admin("PATCH", `/v1/admin/tenants/${c.tenantId}`, { status: "suspended" }), 200);

  return complete({
    tenantA: a.tenantId,
    keyIdA: a.keyId,
    full: a.secret,
    other: b.secret,
    lacking,
    revoked: revoked.secret,
    expired: expired.secret,
    deletedTenant: d.secret,
    patterned: ((await patterned.json()) as { secret: string }).secret,
    suspended: c.secret,
    docId: doc.document_id,
    heads: doc.heads.join(","),
    changes,
    tokens: {
      full: await mint(t, a.secret),
      lacking: lackingTokens,
      revoked: revokedToken,
      deletedTenant: deletedToken,
      suspended: suspendedToken,
    },
  });
}

/** Every credential is set: a missing one would be sent as none and be "denied" for nothing. */
function complete(f: Fixture): Fixture {
  const walk = (o: object, at: string): void => {
    for (const [k, v] of Object.entries(o)) {
      if (v === undefined || v === "") throw new Error(`fixture: ${at}${k} is not set`);
      if (typeof v === "object" && !(v instanceof Uint8Array)) walk(v as object, `${at}${k}.`);
    }
  };
  walk(f, "");
  return f;
}
