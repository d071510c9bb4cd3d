import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SseReader } from "./support/sse.js";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { TenantClient, text } from "./support/tenant-client.js";

let t: TestApp;
let c: TenantClient;
beforeAll(async () => {
  t = await startTestApp();
  c = new TenantClient(
    t.baseUrl,
    (await t.tenantWithKey(["streams:read", "streams:write"])).secret,
  );
});
afterAll(() => t?.close());

describe("concurrent appends", () => {
  it("give dense seqs 1..N, and every acked message is readable with its bytes", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Clients, each sending a few requests of a few messages, all at once.
        fc.array(
          fc.array(fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 5 }), {
            minLength: 1,
            maxLength: 4,
          }),
          {
            minLength: 2,
            maxLength: 8,
          },
        ),
        async (clients) => {
          const name = `prop-${run++}`;
          await c.createStream(name);
          const acked = new Map<number, Buffer>();
          await Promise.all(
            clients.map(async (requests) => {
              for (const batch of requests) {
                const res = await c.append(name, {
                  messages: batch.map((v) => ({ value_base64: Buffer.from(v).toString("base64") })),
                });
                expect(res.status).toBe(201);
                batch.forEach((v, i) => acked.set(res.body.first_seq + i, Buffer.from(v)));
              }
            }),
          );
          const total = clients.flat().flat().length;
          const stored = await c.readAll(name);
          expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
          for (const m of stored)
            expect(Buffer.from(m.value_base64, "base64")).toEqual(acked.get(m.seq));
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe("Server-Sent Events", () => {
  it("delivers the backlog then live messages, each exactly once in order, while appends race the start", async () => {
    await c.createStream("sse");
    for (let i = 1; i <= 50; i++) await c.append("sse", `m${i}`);
    const writer = (async () => {
      for (let i = 51; i <= 150; i++) await c.append("sse", `m${i}`);
    })();
    const sse = new SseReader();
    const res = await sse.open(`${t.baseUrl}/v1/streams/sse/events?from_seq=1`, {
      authorization: `Bearer ${c.key}`,
    });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    await writer;
    const events = await sse.waitFor(150);
    sse.close();
    expect(events.map((e) => Number(e.id))).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(events.map((e) => text(JSON.parse(e.data)))).toEqual(
      Array.from({ length: 150 }, (_, i) => `m${i + 1}`),
    );
  });

  it("resumes after Last-Event-ID", async () => {
    await c.createStream("resume");
    for (let i = 1; i <= 10; i++) await c.append("resume", `r${i}`);
    const sse = new SseReader();
    await sse.open(`${t.baseUrl}/v1/streams/resume/events?from_seq=1`, {
      authorization: `Bearer ${c.key}`,
      "last-event-id": "7",
    });
    await c.append("resume", "r11");
    const events = await sse.waitFor(4);
    sse.close();
    expect(events.map((e) => Number(e.id))).toEqual([8, 9, 10, 11]);
  });

  it("answers an unknown stream with a 404 problem, not an event stream", async () => {
    const res = await fetch(`${t.baseUrl}/v1/streams/nope/events`, {
      headers: { authorization: `Bearer ${c.key}` },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/problem\+json/);
  });
});

describe("restart", () => {
  it("loses no message acked as durable, and continues the seqs", async () => {
    const r = await startTestApp();
    const key = (await r.tenantWithKey(["streams:read", "streams:write"])).secret;
    const before = new TenantClient(r.baseUrl, key);
    await before.createStream("durable");
    const acked = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        before.append("durable", `d${i}`).then((res) => res.body.seq),
      ),
    );
    await r.close({ keepDatabase: true });

    const again = await startTestApp({}, { db: r.db, adminToken: r.adminToken });
    try {
      const after = new TenantClient(again.baseUrl, key);
      const stored = await after.readAll("durable");
      expect(stored.map((m) => m.seq).sort((a, b) => a - b)).toEqual(
        [...acked].sort((a, b) => a - b),
      );
      expect(new Set(stored.map(text)).size).toBe(200);
      expect((await after.append("durable", "next")).body.seq).toBe(201);
    } finally {
      await again.close();
    }
  });
});
