import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SseReader } from "../support/sse.js";
import { TestWsClient } from "../support/ws-client.js";
import {
  appendVaried,
  seqs,
  startTieringFixture,
  type TieringFixture,
} from "./support/tiering-fixture.js";

let f: TieringFixture;
beforeAll(async () => {
  f = await startTieringFixture();
});
afterAll(() => f?.close());

describe("tiering streams to the object store (s3rver)", () => {
  it("moves old messages into segments and reads every seq back byte for byte", async () => {
    await f.c.createStream("orders", { dedup_window_seconds: 0 });
    await appendVaried(f.c, "orders", 230);
    const before = await f.c.readAll("orders");
    expect(seqs(before)).toEqual(Array.from({ length: 230 }, (_, i) => i + 1));

    const run = await f.tier("orders");
    expect(run).toMatchObject({ segments: 5, messages: 230 });
    expect(await f.tiers("orders")).toEqual({ hot: 0, segments: 5, cold: 230 });
    expect(await f.c.readAll("orders")).toEqual(before);
    // From every seq, in pages of every size the API allows here.
    for (const from of [1, 49, 50, 51, 199, 230]) {
      const page = await f.c.json<{ messages: unknown[] }>(
        "GET",
        `/v1/streams/orders/messages?from_seq=${from}&limit=7`,
      );
      expect(page.body.messages).toEqual(before.slice(from - 1, from - 1 + 7));
    }
    for (const m of before.filter((_, i) => i % 17 === 0)) {
      const one = await f.c.json("GET", `/v1/streams/orders/messages/${m.seq}`, undefined, {
        accept: "application/json",
      });
      expect(one.body).toEqual(m);
    }
    // Counters and the head survive the hot tier emptying (a reload sees both tiers).
    const info = await f.c.json<{ messages: number; first_seq: number; last_seq: number }>(
      "GET",
      "/v1/streams/orders",
    );
    expect(info.body).toMatchObject({ messages: 230, first_seq: 1, last_seq: 230 });
    expect((await f.c.append("orders", { messages: [{ value_text: "next" }] })).body.seq).toBe(231);
  });

  it("deletes single cold messages and cold prefixes, and shows the split in the admin view", async () => {
    await f.c.createStream("edits", { dedup_window_seconds: 0 });
    await appendVaried(f.c, "edits", 120);
    await f.tier("edits", { older_than_seconds: 0, min_messages: 1 });
    await appendVaried(f.c, "edits", 30, 120);
    const before = await f.c.readAll("edits");
    expect((await f.c.request("DELETE", "/v1/streams/edits/messages/7")).status).toBe(204);
    expect((await f.c.request("GET", "/v1/streams/edits/messages/7")).status).toBe(404);
    expect((await f.c.request("DELETE", "/v1/streams/edits/messages?up_to_seq=60")).status).toBe(
      200,
    );
    expect(await f.c.readAll("edits")).toEqual(before.filter((m) => m.seq > 60));
    const admin = await f.t.admin("GET", `/v1/admin/streams?tenant=${f.tenantId}`);
    const item = ((await admin.json()) as { items: { name: string; tiers: unknown }[] }).items.find(
      (i) => i.name === "edits",
    );
    expect(item?.tiers).toMatchObject({
      hot: { messages: 30 },
      cold: { segments: 2, messages: 60 },
    });
  });

  it("round-trips large (chunked) values through their own objects", async () => {
    await f.c.createStream("blobs", { dedup_window_seconds: 0 });
    const big = Buffer.alloc(700 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 9)) % 251;
    await f.c.append("blobs", { messages: [{ value_text: "small" }] });
    await f.c.append("blobs", { messages: [{ value_base64: big.toString("base64") }] });
    await f.c.append("blobs", { messages: [{ value_text: "after" }] });
    const before = await f.c.readAll("blobs");
    await f.tier("blobs");
    const id = await f.streamId("blobs");
    const { rows } = await f.t.pool.query("select 1 from stream_chunks where stream_id = $1", [id]);
    expect(rows).toHaveLength(0);
    const keys = await f.objects("blobs");
    expect(keys.filter((k) => k.endsWith("/value-2"))).toHaveLength(1);
    expect(await f.c.readAll("blobs")).toEqual(before);
    const raw = await f.c.request("GET", "/v1/streams/blobs/messages/2");
    expect(Buffer.from(await raw.arrayBuffer()).equals(big)).toBe(true);
  });

  it("delivers every seq once, in order, to a subscriber from seq 1 across the tier boundary", async () => {
    await f.c.createStream("live", { dedup_window_seconds: 0 });
    await appendVaried(f.c, "live", 150);
    await f.tier("live");
    const sse = new SseReader();
    const res = await sse.open(`${f.t.baseUrl}/v1/streams/live/events?from_seq=1`, {
      authorization: `Bearer ${f.c.key}`,
    });
    expect(res.status).toBe(200);
    // Appends continue, and more messages move to the cold tier while the subscriber catches up.
    for (let round = 0; round < 5; round++) {
      await appendVaried(f.c, "live", 60, 150 + round * 60);
      if (round % 2 === 0) await f.tier("live");
    }
    const events = await sse.waitFor(450, 30_000);
    sse.close();
    expect(events.map((e) => Number(e.id))).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    expect(events.map((e) => JSON.parse(e.data))).toEqual(await f.c.readAll("live"));
  });

  it("answers a long-poll and a durable consumer's read from the cold tier", async () => {
    await f.c.createStream("polled", { dedup_window_seconds: 0 });
    await appendVaried(f.c, "polled", 80);
    await f.tier("polled");
    const page = await f.c.json<{ messages: { seq: number }[] }>(
      "GET",
      "/v1/streams/polled/messages?from_seq=3&limit=2&wait=5",
    );
    expect(page.body.messages.map((m) => m.seq)).toEqual([3, 4]);
    expect(
      (await f.c.json("PUT", "/v1/streams/polled/consumers/c1", { acked_seq: 10 })).status,
    ).toBeLessThan(300);
    const sse = new SseReader();
    await sse.open(`${f.t.baseUrl}/v1/streams/polled/events?consumer=c1`, {
      authorization: `Bearer ${f.c.key}`,
    });
    const events = await sse.waitFor(70);
    sse.close();
    expect(Number(events[0]!.id)).toBe(11);
    expect(Number(events[69]!.id)).toBe(80);
  });

  it("replays a WebSocket subscription from the cold tier with the same bytes", async () => {
    await f.c.createStream("sock", { dedup_window_seconds: 0 });
    await appendVaried(f.c, "sock", 120);
    const before = await f.c.readAll("sock");
    await f.tier("sock");
    await appendVaried(f.c, "sock", 10, 120);
    const ws = await TestWsClient.connect(f.t.baseUrl, { key: f.c.key, encoding: "msgpack" });
    ws.send({ type: "subscribe", id: "s", sub: "r", stream: "sock", from_seq: 1 });
    await ws.until(() => ws.messages("r").length === 130);
    const got = ws.messages("r");
    ws.ws.close();
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 130 }, (_, i) => i + 1));
    for (const [i, m] of before.entries()) {
      expect(m.seq).toBe(got[i]!.seq);
      expect(got[i]!.value.equals(Buffer.from(m.value_base64, "base64"))).toBe(true);
    }
  });
});
