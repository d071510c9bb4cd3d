import { randomBytes } from "node:crypto";
import { type AccessTokenPayload, encodeAccessToken } from "@strata/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HmacTokenSigner } from "../src/tenants/token-signer.js";
import { startTestApp, type TestApp, withKey } from "./support/test-app.js";
import { refusedUpgrade, TestWsClient } from "./support/ws-client.js";

let t: TestApp;
beforeAll(async () => {
  // No key cache: a revocation must bite at once for the revocation test.
  t = await startTestApp({ STRATA_KEY_CACHE_MS: "0" });
});
afterAll(() => t?.close());

async function mint(key: string, body: unknown = {}) {
  return fetch(`${t.baseUrl}/v1/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function token(key: string, body: unknown = {}): Promise<string> {
  const res = await mint(key, body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

const wsUrl = (tok: string) =>
  `${t.baseUrl.replace(/^http/, "ws")}/v1/ws?token=${encodeURIComponent(tok)}`;

describe("POST /v1/tokens", () => {
  it("mints a short-lived token with the key's scopes, 300 s by default", async () => {
    const { secret } = await t.tenantWithKey(["streams:read", "streams:write"]);
    const before = Date.now();
    const res = await mint(secret);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; expires_at: string; scopes: string[] };
    expect(body.token).toMatch(/^st_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const ttl = new Date(body.expires_at).getTime() - before;
    expect(ttl).toBeGreaterThan(298_000);
    expect(ttl).toBeLessThanOrEqual(301_000);
    expect(body.scopes).toEqual(["streams:read", "streams:write"]);
  });

  it("narrows scopes, refuses to widen them and bounds the ttl", async () => {
    const { secret } = await t.tenantWithKey(["streams:read", "streams:write"]);
    const narrow = await token(secret, { scopes: ["streams:read"], ttl_seconds: 60 });
    const who = await withKey(t.baseUrl, narrow, "/v1/whoami");
    expect(await who.json()).toMatchObject({ scopes: ["streams:read"] });
    expect((await mint(secret, { scopes: ["kv:write"] })).status).toBe(403);
    const tooLong = await mint(secret, { ttl_seconds: 3601 });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe(
      "ttl_seconds",
    );
  });

  it("does not let a token mint tokens", async () => {
    const { secret } = await t.tenantWithKey(["streams:read"]);
    const res = await mint(await token(secret));
    expect(res.status).toBe(403);
  });
});

describe("using a token", () => {
  it("works in ?token= for the WebSocket and for GET requests (SSE, reads)", async () => {
    const { secret, tenantId } = await t.tenantWithKey(["streams:read", "streams:write"]);
    const tok = await token(secret);
    const c = await TestWsClient.connect(t.baseUrl, { token: tok });
    await c.roundTrip();
    await c.close();

    const stream = `s-${randomBytes(3).toString("hex")}`;
    await fetch(`${t.baseUrl}/v1/streams/${stream}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: "{}",
    });
    const read = await fetch(`${t.baseUrl}/v1/streams/${stream}/messages?token=${tok}&limit=5`);
    expect(read.status).toBe(200);
    const abort = new AbortController();
    const sse = await fetch(`${t.baseUrl}/v1/streams/${stream}/events?token=${tok}&from_seq=1`, {
      signal: abort.signal,
    });
    expect(sse.status).toBe(200);
    expect(sse.headers.get("content-type")).toMatch(/^text\/event-stream/);
    abort.abort();
    const who = await fetch(`${t.baseUrl}/v1/whoami?token=${tok}`);
    expect(await who.json()).toMatchObject({ tenant: { id: tenantId } });
    // Writes take credentials in the header only.
    const post = await fetch(`${t.baseUrl}/v1/streams/${stream}/messages?token=${tok}`, {
      method: "POST",
      body: "x",
    });
    expect(post.status).toBe(401);
  });

  it("rejects a forged, tampered or expired token with 401", async () => {
    const { secret, tenantId, keyId } = await t.tenantWithKey(["streams:read"]);
    const real = await token(secret);
    const [body, sig] = real.slice(3).split(".") as [string, string];
    const forgedSig = `st_${body}.${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`;
    const payload = JSON.parse(Buffer.from(body, "base64url").toString()) as AccessTokenPayload;
    const wider = Buffer.from(JSON.stringify({ ...payload, scopes: ["streams:write"] })).toString(
      "base64url",
    );
    const otherSigner = new HmacTokenSigner("some-other-operator-token");
    const realSigner = new HmacTokenSigner(t.adminToken);
    const expired = encodeAccessToken(
      { ...payload, exp: Math.floor(Date.now() / 1000) - 1 },
      realSigner,
    );
    const foreign = encodeAccessToken(payload, otherSigner);
    const wrongKey = encodeAccessToken({ ...payload, kid: tenantId }, realSigner);
    for (const bad of [forgedSig, `st_${wider}.${sig}`, expired, foreign, wrongKey]) {
      const res = await refusedUpgrade(wsUrl(bad));
      expect(res.status).toBe(401);
      expect((await withKey(t.baseUrl, bad, "/v1/whoami")).status).toBe(401);
    }
    expect(
      JSON.parse((await refusedUpgrade(wsUrl(expired))).body) as { detail: string },
    ).toMatchObject({ detail: "The access token has expired." });
    // Signed by this cluster's operator token, a token verifies on any node: here, the same one.
    expect(keyId).toBe(payload.kid);
    expect(
      (await withKey(t.baseUrl, encodeAccessToken(payload, realSigner), "/v1/whoami")).status,
    ).toBe(200);
  });

  it("stops working when its key is revoked or its tenant suspended", async () => {
    const a = await t.tenantWithKey(["streams:read"]);
    const tokA = await token(a.secret);
    expect((await withKey(t.baseUrl, tokA, "/v1/whoami")).status).toBe(200);
    const revoke = await t.admin("DELETE", `/v1/admin/tenants/${a.tenantId}/keys/${a.keyId}`);
    expect(revoke.status).toBeLessThan(300);
    expect((await withKey(t.baseUrl, tokA, "/v1/whoami")).status).toBe(401);
    expect((await refusedUpgrade(wsUrl(tokA))).status).toBe(401);

    const b = await t.tenantWithKey(["streams:read"]);
    const tokB = await token(b.secret);
    await t.admin("PATCH", `/v1/admin/tenants/${b.tenantId}`, { status: "suspended" });
    expect((await withKey(t.baseUrl, tokB, "/v1/whoami")).status).toBe(401);
  });
});
