import * as A from "@automerge/automerge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DocClient } from "../docs/doc-client.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { TestWsClient } from "../support/ws-client.js";

// Issue 15, finding 3: admission counts what a request asks before accepting it.
const SCOPES = ["streams:read", "streams:write", "kv:read", "kv:write", "docs:read", "docs:write"];

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

async function tenant(quotas: Record<string, number>): Promise<{ id: string; c: DocClient }> {
  const { tenantId, secret } = await t.tenantWithKey(SCOPES);
  const c = new DocClient(t.baseUrl, secret);
  await c.createStream("s");
  await c.json("PUT", "/v1/kv/cfg", {});
  const res = await t.admin("PUT", `/v1/admin/tenants/${tenantId}/quotas`, quotas);
  expect(res.status).toBe(200);
  return { id: tenantId, c };
}

const batch = (n: number) => ({
  messages: Array.from({ length: n }, (_, i) => ({ value_text: `m${i}` })),
});

async function storedBytes(id: string): Promise<number> {
  const res = await t.admin("GET", `/v1/admin/tenants/${id}/quotas`);
  return ((await res.json()) as { usage: { stored_bytes: number } }).usage.stored_bytes;
}

describe("quota admission", () => {
  it("refuses a batch larger than messages_per_second with a 4xx naming it, and no lockout follows", async () => {
    const { c } = await tenant({ messages_per_second: 50 });
    const big = await c.append("s", batch(5_000));
    expect(big.status).toBe(413);
    expect(big.body.code).toBe("exceeds_quota");
    expect(big.body.detail).toMatch(/messages_per_second/);
    expect(big.body).toMatchObject({ quota: "messages_per_second", limit: 50, requested: 5_000 });
    // The refused batch took nothing: the next one fits at once.
    expect((await c.append("s", batch(10))).status).toBe(201);
    expect(await c.readAll("s")).toHaveLength(10);

    const ws = await TestWsClient.connect(t.baseUrl, { key: c.key });
    try {
      ws.send({ type: "append_batch", id: "big", stream: "s", ...batch(51) });
      expect(await ws.waitFor((f) => f.id === "big")).toMatchObject({
        type: "error",
        code: "exceeds_quota",
        status: 413,
        retryable: false,
      });
    } finally {
      await ws.close();
    }
  });

  it("stored_bytes: writes admitted between refreshes count at once, overshoot is one write", async () => {
    const { id, c } = await tenant({ stored_bytes: 1_000 });
    const value = "x".repeat(300);
    const answers: number[] = [];
    for (let i = 0; i < 10; i++) {
      answers.push((await c.request("POST", "/v1/streams/s/messages", value)).status);
      answers.push((await c.request("PUT", `/v1/kv/cfg/keys/k${i}`, value)).status);
    }
    // Under the quota at 0, 300, 600 and 900 bytes: at most four writes, then only refusals.
    const accepted = answers.findIndex((s) => s === 429);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(4);
    expect(answers.slice(accepted).every((s) => s === 429)).toBe(true);
    expect(await storedBytes(id)).toBeLessThanOrEqual(1_000 + 300);
  });

  it("KV puts and document changes take messages_per_second tokens", async () => {
    const kv = await tenant({ messages_per_second: 2 });
    const puts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => kv.c.request("PUT", `/v1/kv/cfg/keys/k${i}`, "v")),
    );
    const refusedPuts = puts.filter((r) => r.status === 429);
    expect(refusedPuts.length).toBeGreaterThan(0);
    expect(puts.filter((r) => r.status === 200).length + refusedPuts.length).toBe(20);
    expect(refusedPuts[0]!.headers.get("retry-after")).toBeTruthy();

    const docs = await tenant({});
    const { id: docId } = await docs.c.create({ n: 0 });
    const base = await docs.c.load(docId);
    const change = A.getChanges(
      base,
      A.change(A.clone(base), (d) => (d.n = 1)),
    );
    await t.admin("PUT", `/v1/admin/tenants/${docs.id}/quotas`, { messages_per_second: 2 });
    const posts = await Promise.all(
      Array.from({ length: 20 }, () => docs.c.postChanges(docId, change)),
    );
    expect(posts.filter((r) => r.status === 429).length).toBeGreaterThan(0);
  });

  it("over WebSocket rate_limited is retryable and says when to retry (retry_after_ms)", async () => {
    const { c } = await tenant({ messages_per_second: 2 });
    const ws = await TestWsClient.connect(t.baseUrl, { key: c.key });
    try {
      for (let i = 0; i < 10; i++)
        ws.send({ type: "append", id: `a${i}`, stream: "s", value_text: "x" });
      for (let i = 0; i < 10; i++)
        ws.send({ type: "kv.put", id: `p${i}`, bucket: "cfg", key: `k${i}`, value_text: "v" });
      const kvAcks = () => ws.frames.filter((f) => f.type === "kv.acks").flatMap((f) => f.acks);
      await ws.until(() => ws.acks.length + kvAcks().length + ws.errors().length === 20, 20_000);
      const limited = ws.errors();
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0]).toMatchObject({ code: "rate_limited", status: 429, retryable: true });
      for (const f of limited) expect(f.retry_after_ms).toBeGreaterThan(0);
    } finally {
      await ws.close();
    }
  });
});
