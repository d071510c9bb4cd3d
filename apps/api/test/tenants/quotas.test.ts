import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { TenantClient } from "../support/tenant-client.js";
import { refusedUpgrade, TestWsClient } from "../support/ws-client.js";

const SCOPES = ["streams:read", "streams:write", "kv:read", "kv:write"];

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ STRATA_KEY_CACHE_MS: "1000" });
});
afterAll(() => t?.close());

async function tenant(): Promise<{ id: string; c: TenantClient }> {
  const { tenantId, secret } = await t.tenantWithKey(SCOPES);
  return { id: tenantId, c: new TenantClient(t.baseUrl, secret) };
}

async function setQuotas(id: string, quotas: Record<string, unknown>) {
  const res = await t.admin("PUT", `/v1/admin/tenants/${id}/quotas`, quotas);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("tenant quotas", () => {
  it("refuse a bad quota body with a 400 naming the field, and audit a change", async () => {
    const { id } = await tenant();
    const bad = await setQuotas(id, { messages_per_second: 0 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/messages_per_second/);
    const unknown = await setQuotas(id, { bytes: 5 });
    expect(unknown.status).toBe(400);
    const ok = await setQuotas(id, { connections: 3 });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ quotas: { connections: 3 }, usage: { connections: 0 } });
    const detail = (await (await t.admin("GET", `/v1/admin/tenants/${id}`)).json()) as {
      quotas: unknown;
    };
    expect(detail.quotas).toEqual({ connections: 3 });
    const { rows } = await t.pool.query(
      "select details from audit_log where action = 'tenant.quotas' and tenant_id = $1",
      [id],
    );
    expect(rows).toEqual([{ details: { connections: 3 } }]);
    const missing = await setQuotas("00000000-0000-4000-8000-000000000000", {});
    expect(missing.status).toBe(404);
  });

  it("messages_per_second: a burst beyond it gets 429 with Retry-After and stores only the accepted", async () => {
    const { id, c } = await tenant();
    const other = await tenant();
    await c.createStream("burst");
    await other.c.createStream("burst");
    expect((await setQuotas(id, { messages_per_second: 5 })).status).toBe(200);

    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        c.request("POST", "/v1/streams/burst/messages", `m${i}`),
      ),
    );
    const refused = answers.filter((r) => r.status === 429);
    const accepted = answers.filter((r) => r.status === 201);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length + refused.length).toBe(30);
    expect(Number(refused[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const problem = (await refused[0]!.json()) as { code: string; detail: string };
    expect(problem).toMatchObject({ code: "rate_limited" });
    expect(problem.detail).toMatch(/messages_per_second/);
    expect(await c.readAll("burst")).toHaveLength(accepted.length);

    // Over WebSocket a refusal is an error frame for that append; the connection stays.
    const ws = await TestWsClient.connect(t.baseUrl, { key: c.key });
    for (let i = 0; i < 30; i++)
      ws.send({ type: "append", id: `w${i}`, stream: "burst", value_text: "x" });
    await ws.until(
      () => ws.acks.length + ws.frames.filter((f) => f.type === "error").length === 30,
      30_000,
    );
    const errors = ws.frames.filter((f) => f.type === "error");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ code: "rate_limited", status: 429 });
    await ws.roundTrip();
    expect(await c.readAll("burst")).toHaveLength(accepted.length + ws.acks.length);
    await ws.close();

    // Another tenant is not limited.
    const theirs = await Promise.all(
      Array.from({ length: 30 }, () => other.c.request("POST", "/v1/streams/burst/messages", "m")),
    );
    expect(theirs.every((r) => r.status === 201)).toBe(true);
  });

  it("stored_bytes: writes of streams and KV are refused once over, reads still work", async () => {
    const { id, c } = await tenant();
    await c.createStream("big");
    expect((await c.append("big", "x".repeat(200))).status).toBe(201);
    expect((await c.json("PUT", "/v1/kv/cfg", {})).status).toBe(201);
    expect((await c.request("PUT", "/v1/kv/cfg/keys/a", "y".repeat(100))).status).toBe(200);

    const set = await setQuotas(id, { stored_bytes: 250 });
    expect(set.body).toMatchObject({ usage: { stored_bytes: 300 } });
    const append = await c.request("POST", "/v1/streams/big/messages", "more");
    expect(append.status).toBe(429);
    expect(append.headers.get("retry-after")).toBeTruthy();
    expect(((await append.json()) as { detail: string }).detail).toMatch(/stored_bytes/);
    const put = await c.request("PUT", "/v1/kv/cfg/keys/b", "z");
    expect(put.status).toBe(429);
    // Over the WebSocket too: single and batch KV writes are refused, nothing stored.
    const ws = await TestWsClient.connect(t.baseUrl, { key: c.key });
    try {
      ws.send({ type: "kv.put", id: "one", bucket: "cfg", key: "b", value_text: "z" });
      expect(await ws.waitFor((f) => f.id === "one")).toMatchObject({
        type: "error",
        status: 429,
      });
      const entries = [{ key: "b", value_text: "z" }];
      ws.send({ type: "kv.put_batch", id: "many", bucket: "cfg", entries });
      expect(await ws.waitFor((f) => f.id === "many")).toMatchObject({
        type: "error",
        status: 429,
      });
    } finally {
      await ws.close();
    }

    expect(await c.readAll("big")).toHaveLength(1);
    expect((await c.request("GET", "/v1/kv/cfg/keys/a")).status).toBe(200);
    expect((await c.request("GET", "/v1/kv/cfg/keys/b")).status).toBe(404);

    await setQuotas(id, {});
    expect((await c.request("PUT", "/v1/kv/cfg/keys/b", "z")).status).toBe(200);
  });

  it("connections: the (n+1)th WebSocket upgrade gets 429, closing one frees a slot", async () => {
    const { id, c } = await tenant();
    const other = await tenant();
    await setQuotas(id, { connections: 2 });
    const a = await TestWsClient.connect(t.baseUrl, { key: c.key });
    const b = await TestWsClient.connect(t.baseUrl, { key: c.key });
    const url = `${t.baseUrl.replace(/^http/, "ws")}/v1/ws`;
    const refused = await refusedUpgrade(url, { authorization: `Bearer ${c.key}` });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatch(/connections/);
    const sse = await c.request("GET", "/v1/streams/any/events");
    expect(sse.status).toBe(429);
    expect(sse.headers.get("retry-after")).toBeTruthy();
    expect((await c.request("GET", "/v1/kv/any/events")).status).toBe(429);
    const theirs = await TestWsClient.connect(t.baseUrl, { key: other.c.key });

    const usage = (await (await t.admin("GET", `/v1/admin/tenants/${id}/quotas`)).json()) as {
      usage: { connections: number };
    };
    expect(usage.usage.connections).toBe(2);

    await a.close();
    // The server sees the close a moment after the client does.
    let again: TestWsClient | undefined;
    for (let i = 0; i < 100 && !again; i++) {
      again = await TestWsClient.connect(t.baseUrl, { key: c.key }).catch(async () => {
        await new Promise((r) => setTimeout(r, 50));
        return undefined;
      });
    }
    expect(again).toBeDefined();
    await Promise.all([b.close(), again!.close(), theirs.close()]);
  });
});
