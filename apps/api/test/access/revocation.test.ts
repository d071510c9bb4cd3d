import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalCluster } from "../cluster/support/local-cluster.js";
import { rawSocket } from "../docs/sync-clients.js";
import { SseReader } from "../support/sse.js";
import { TenantClient } from "../support/tenant-client.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { refusedUpgrade, TestWsClient } from "../support/ws-client.js";

/** docs/protocol.md: an open connection ends this long after its credential stops being valid. */
const DEADLINE_MS = 5000;
const SCOPES = ["streams:read", "streams:write", "kv:read", "kv:write"];

/** Rejects once `ms` have passed: exceeding the documented bound fails the test. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The close code and reason the client sees; listened for from connect on, so none is missed. */
function closed(c: TestWsClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) =>
    c.ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

/** A WebSocket that works (one append acknowledged) and a promise of its close. */
async function openWs(base: string, auth: { key?: string; token?: string }, stream: string) {
  const c = await TestWsClient.connect(base, auth);
  const close = closed(c);
  c.send({ type: "append", id: "before", stream, value_text: "ok" });
  await c.waitFor((f) => f.type === "acks" || f.type === "error");
  expect(c.acks.map((a) => a.id)).toEqual(["before"]);
  return { c, close };
}

/** An SSE stream of `path` that has opened (the 200 is in). */
async function openSse(base: string, path: string, headers: Record<string, string>) {
  const reader = new SseReader();
  const res = await reader.open(`${base}${path}`, headers);
  expect(res.status).toBe(200);
  return reader;
}

function lastError(reader: SseReader): { code: string; detail: string } {
  const last = reader.events.at(-1);
  expect(last?.event).toBe("error");
  return JSON.parse(last!.data) as { code: string; detail: string };
}

describe("revocation reaches open connections (issue 15, finding 2)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  async function tenant() {
    const { tenantId, keyId, secret } = await t.tenantWithKey(SCOPES);
    const client = new TenantClient(t.baseUrl, secret);
    expect((await client.createStream("s")).status).toBe(201);
    return { tenantId, keyId, secret, client };
  }

  it("closes a revoked key's WebSocket with an unauthenticated error and 1008, and refuses it after", async () => {
    const { tenantId, keyId, secret, client } = await tenant();
    const { c, close } = await openWs(t.baseUrl, { key: secret }, "s");
    const sse = await openSse(t.baseUrl, "/v1/streams/s/events", {
      authorization: `Bearer ${secret}`,
    });

    expect((await t.admin("DELETE", `/v1/admin/tenants/${tenantId}/keys/${keyId}`)).status).toBe(
      200,
    );
    const { code, reason } = await within(DEADLINE_MS, "WebSocket closed", close);
    expect({ code, reason }).toEqual({ code: 1008, reason: "unauthenticated" });
    expect(c.errors()).toMatchObject([
      { code: "unauthenticated", status: 401, message: "The API key has been revoked." },
    ]);
    await within(DEADLINE_MS, "SSE stream ended", sse.done);
    expect(lastError(sse)).toEqual({
      code: "unauthenticated",
      detail: "The API key has been revoked.",
    });

    expect((await client.append("s", { messages: [{ value_text: "after" }] })).status).toBe(401);
    const ws = `${t.baseUrl.replace(/^http/, "ws")}/v1/ws`;
    expect((await refusedUpgrade(ws, { authorization: `Bearer ${secret}` })).status).toBe(401);
  });

  it("ends a suspended tenant's WebSocket (forbidden, 1008) and its stream and KV SSE streams", async () => {
    const { tenantId, secret, client } = await tenant();
    expect((await client.json("PUT", "/v1/kv/b", {})).status).toBe(201);
    const { c, close } = await openWs(t.baseUrl, { key: secret }, "s");
    const auth = { authorization: `Bearer ${secret}` };
    const streamSse = await openSse(t.baseUrl, "/v1/streams/s/events", auth);
    const kvSse = await openSse(t.baseUrl, "/v1/kv/b/events", auth);

    const res = await t.admin("PATCH", `/v1/admin/tenants/${tenantId}`, { status: "suspended" });
    expect(res.status).toBe(200);
    expect((await within(DEADLINE_MS, "WebSocket closed", close)).code).toBe(1008);
    expect(c.errors()).toMatchObject([
      { code: "forbidden", status: 403, message: "The tenant is suspended." },
    ]);
    await within(DEADLINE_MS, "stream SSE ended", streamSse.done);
    await within(DEADLINE_MS, "KV SSE ended", kvSse.done);
    const suspended = { code: "forbidden", detail: "The tenant is suspended." };
    expect(lastError(streamSse)).toEqual(suspended);
    expect(lastError(kvSse)).toEqual(suspended);

    expect((await client.append("s", { messages: [{ value_text: "after" }] })).status).toBe(401);
    expect((await client.request("PUT", "/v1/kv/b/keys/k", "v")).status).toBe(401);
  });

  it("closes a revoked key's document sync socket with an error message and 1008", async () => {
    const { tenantId, keyId, secret } = await t.tenantWithKey(["docs:read", "docs:write"]);
    const peer = await rawSocket(t.baseUrl, secret);
    peer.send({ type: "join", senderId: "rv", supportedProtocolVersions: ["1"] });
    const joined = async () => {
      while (!peer.frames.some((f) => f.type === "peer"))
        await new Promise((r) => setTimeout(r, 5));
    };
    await within(DEADLINE_MS, "joined", joined());
    expect((await t.admin("DELETE", `/v1/admin/tenants/${tenantId}/keys/${keyId}`)).status).toBe(
      200,
    );
    expect((await within(DEADLINE_MS, "sync socket closed", peer.closed)).code).toBe(1008);
    expect(peer.frames.at(-1)).toMatchObject({
      type: "error",
      message: "The API key has been revoked.",
    });
  });

  it("closes a deleted tenant's WebSocket as unauthenticated", async () => {
    const { tenantId, secret } = await tenant();
    const { c, close } = await openWs(t.baseUrl, { key: secret }, "s");
    expect((await t.admin("DELETE", `/v1/admin/tenants/${tenantId}`)).status).toBe(204);
    expect((await within(DEADLINE_MS, "WebSocket closed", close)).code).toBe(1008);
    expect(c.errors()).toMatchObject([{ code: "unauthenticated" }]);
  });

  it("closes a WebSocket and ends an SSE stream once their short-lived token expires", async () => {
    const { secret } = await tenant();
    const minted = await new TenantClient(t.baseUrl, secret).json<{
      token: string;
      expires_at: string;
    }>("POST", "/v1/tokens", { ttl_seconds: 3 });
    expect(minted.status).toBe(201);
    const { token, expires_at } = minted.body;
    const { c, close } = await openWs(t.baseUrl, { token }, "s");
    const sse = await openSse(t.baseUrl, `/v1/streams/s/events?token=${token}`, {});

    // The bound runs from the expiry, not from now.
    const left = new Date(expires_at).getTime() + DEADLINE_MS - Date.now();
    expect((await within(left, "WebSocket closed", close)).code).toBe(1008);
    expect(c.errors()).toMatchObject([
      { code: "unauthenticated", message: "The access token has expired." },
    ]);
    await within(Math.max(left, 0), "SSE stream ended", sse.done);
    expect(lastError(sse).code).toBe("unauthenticated");
  });

  it("catches a revocation no bus event announced (another node's, a lost event) by its sweep", async () => {
    const { keyId, secret } = await tenant();
    const { c, close } = await openWs(t.baseUrl, { key: secret }, "s");
    // Straight to the database, as if another node had revoked it and its bus event were lost.
    await t.pool.query("update api_keys set revoked_at = now() where id = $1", [keyId]);
    expect((await within(DEADLINE_MS, "WebSocket closed", close)).code).toBe(1008);
    expect(c.errors()).toMatchObject([{ code: "unauthenticated" }]);
  });
});

describe("revocation across a cluster", () => {
  let cluster: LocalCluster;
  beforeAll(async () => {
    cluster = await LocalCluster.start(2);
  }, 90_000);
  afterAll(() => cluster?.close());

  it("closes a connection on node B when the key is revoked through node A", async () => {
    const [a, b] = [cluster.nodes[0]!, cluster.nodes[1]!];
    const admin = cluster.admin(0);
    const tenant = await admin.json<{ id: string }>("POST", "/v1/admin/tenants", { name: "rv" });
    const key = await admin.json<{ id: string; secret: string }>(
      "POST",
      `/v1/admin/tenants/${tenant.body.id}/keys`,
      { name: "k", scopes: SCOPES },
    );
    const onB = new TenantClient(b.base, key.body.secret);
    expect((await onB.createStream("s")).status).toBe(201);
    const { c, close } = await openWs(b.base, { key: key.body.secret }, "s");
    const sse = await openSse(b.base, "/v1/streams/s/events", {
      authorization: `Bearer ${key.body.secret}`,
    });

    const revoked = await new TenantClient(a.base, cluster.adminToken).request(
      "DELETE",
      `/v1/admin/tenants/${tenant.body.id}/keys/${key.body.id}`,
    );
    expect(revoked.status).toBe(200);
    expect((await within(DEADLINE_MS, "WebSocket on B closed", close)).code).toBe(1008);
    expect(c.errors()).toMatchObject([{ code: "unauthenticated" }]);
    await within(DEADLINE_MS, "SSE on B ended", sse.done);
    expect(lastError(sse).code).toBe("unauthenticated");
    // Node B heard of it (the bus), so its key cache no longer admits the key either.
    expect((await onB.append("s", { messages: [{ value_text: "after" }] })).status).toBe(401);
  });
});
