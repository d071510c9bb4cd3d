import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUS_RESYNC } from "@strata/core";
import { RedisBus } from "../src/bus/redis-bus.js";
import { requireRedis } from "./support/redis.js";
import { SseReader } from "./support/sse.js";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { TenantClient, text } from "./support/tenant-client.js";

let url: string;
const buses: RedisBus[] = [];
beforeAll(async () => {
  url = await requireRedis();
});
afterAll(async () => {
  for (const b of buses) await b.close();
});

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe(RedisBus.name, () => {
  it("carries events between nodes with binary values and dates intact, once per node", async () => {
    const a = new RedisBus(url, "node-a");
    const b = new RedisBus(url, "node-b");
    buses.push(a, b);
    const topic = `t-${Date.now()}`;
    const onA: unknown[] = [];
    const onB: unknown[] = [];
    await a.subscribe(topic, (e) => onA.push(e));
    await b.subscribe(topic, (e) => onB.push(e));
    await b.subscribe(topic, () => {});
    const ts = new Date("2026-01-02T03:04:05.678Z");
    a.publish(topic, {
      streamId: 1,
      messages: [{ seq: 1, ts, value: new Uint8Array([0, 255, 7]) }],
    });
    await until(() => onB.length === 1);
    const got = onB[0] as { messages: { ts: Date; value: Uint8Array }[] };
    expect(Buffer.from(got.messages[0]!.value)).toEqual(Buffer.from([0, 255, 7]));
    expect(got.messages[0]!.ts.getTime()).toBe(ts.getTime());
    await new Promise((r) => setTimeout(r, 100));
    expect(onA).toHaveLength(1); // local delivery only; its own Redis echo is ignored
    expect(onB).toHaveLength(1);
  });

  it("tells handlers to resync after its Redis connection was lost", async () => {
    const bus = new RedisBus(url, "node-c");
    buses.push(bus);
    const topic = `r-${Date.now()}`;
    const events: unknown[] = [];
    await bus.subscribe(topic, (e) => events.push(e));
    const admin = new Redis(url);
    try {
      await admin.call("CLIENT", "KILL", "TYPE", "pubsub");
    } finally {
      admin.disconnect();
    }
    await until(() => events.includes(BUS_RESYNC));
  });
});

describe("streams on the Redis bus", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REDIS_URL: url });
  });
  afterAll(() => t?.close());

  it("delivers live messages to an SSE subscriber", async () => {
    const c = new TenantClient(
      t.baseUrl,
      (await t.tenantWithKey(["streams:read", "streams:write"])).secret,
    );
    await c.createStream("via-redis");
    const sse = new SseReader();
    await sse.open(`${t.baseUrl}/v1/streams/via-redis/events`, {
      authorization: `Bearer ${c.key}`,
    });
    for (let i = 1; i <= 20; i++) await c.append("via-redis", `v${i}`);
    const events = await sse.waitFor(20);
    sse.close();
    expect(events.map((e) => text(JSON.parse(e.data)))).toEqual(
      Array.from({ length: 20 }, (_, i) => `v${i + 1}`),
    );
  });
});
