import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { TenantClient, text } from "../support/tenant-client.js";
import { type Ack, TestWsClient } from "../support/ws-client.js";

// Issue 15, finding 3: a client that keeps sending past its tenant's rate is not read for a while
// (TCP slows it down) instead of costing the node a refusal per frame.
const PAUSE_MIN_MS = 500;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe("a WebSocket over its tenant's rate", () => {
  it("is not read for a while after a rate_limited answer; every frame is answered once and nothing is lost", async () => {
    const { tenantId, secret } = await t.tenantWithKey(["streams:read", "streams:write"]);
    const c = new TenantClient(t.baseUrl, secret);
    await c.createStream("s");
    expect(
      (await t.admin("PUT", `/v1/admin/tenants/${tenantId}/quotas`, { messages_per_second: 100 }))
        .status,
    ).toBe(200);

    const ws = await TestWsClient.connect(t.baseUrl, { key: secret });
    try {
      const ids = Array.from({ length: 150 }, (_, i) => `a${i}`);
      for (const id of ids) ws.send({ type: "append", id, stream: "s", value: Buffer.from(id) });
      const limited = await ws.waitFor((f) => f.type === "error" && f.code === "rate_limited");
      const refusedAt = Date.now();
      expect(limited).toMatchObject({ retryable: true });
      ws.send({ type: "ping", id: "after" });
      await ws.waitFor((f) => f.type === "pong" && f.id === "after");
      // Timer granularity: the pause is at least PAUSE_MIN_MS from when the server sent the refusal.
      expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(PAUSE_MIN_MS - 50);

      const acked = new Set(ws.acks.map((a: Ack) => String(a.id)));
      const refused = new Set(ws.errors().map((e) => String(e.id)));
      expect([...acked].filter((id) => refused.has(id))).toEqual([]);
      expect(ids.filter((id) => !acked.has(id) && !refused.has(id))).toEqual([]);
      const stored = await c.readAll("s");
      expect(stored.map(text).sort()).toEqual([...acked].sort());

      // Read again after the pause: an append within the rate is accepted.
      ws.send({ type: "append", id: "later", stream: "s", value: Buffer.from("later") });
      const later = await ws.waitFor(
        (f) =>
          f.id === "later" ||
          (f.type === "acks" && (f.acks as Ack[]).some((a) => a.id === "later")),
      );
      expect(later.type).toBe("acks");
    } finally {
      await ws.close();
    }
  });
});
