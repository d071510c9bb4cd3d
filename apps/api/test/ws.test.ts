import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { type Encoding, refusedUpgrade, TestWsClient } from "./support/ws-client.js";

let t: TestApp;
let key: string;
const open: TestWsClient[] = [];

beforeAll(async () => {
  t = await startTestApp();
  ({ secret: key } = await t.tenantWithKey(["streams:read", "streams:write"]));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => t?.close());

async function connect(opts: Parameters<typeof TestWsClient.connect>[1] = {}) {
  const c = await TestWsClient.connect(t.baseUrl, { key, ...opts });
  open.push(c);
  return c;
}

async function createStream(k = key, config: object = {}): Promise<string> {
  const name = `s-${randomBytes(4).toString("hex")}`;
  const res = await fetch(`${t.baseUrl}/v1/streams/${name}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${k}`, "content-type": "application/json" },
    body: JSON.stringify(config),
  });
  expect(res.status).toBe(201);
  return name;
}

const wsUrl = () => `${t.baseUrl.replace(/^http/, "ws")}/v1/ws`;
const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe("WebSocket upgrade", () => {
  it("answers 401 problem+json, before any handshake, without or with a bad credential", async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer not-a-key" },
      { authorization: `Bearer sk_aaaaaaaaaaaa_${"A".repeat(43)}` },
    ]) {
      const res = await refusedUpgrade(wsUrl(), headers);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ status: 401, code: "unauthenticated" });
    }
    expect((await refusedUpgrade(`${wsUrl()}?token=st_bogus.bogus`)).status).toBe(401);
  });

  it("answers 404 for other paths and keeps serving /v1/ws", async () => {
    const res = await refusedUpgrade(`${t.baseUrl.replace(/^http/, "ws")}/v1/nope`, {
      authorization: `Bearer ${key}`,
    });
    expect(res.status).toBe(404);
    const c = await connect();
    await c.roundTrip();
  });

  it("announces the frame size limit in the handshake", async () => {
    const ws = new WebSocket(wsUrl(), { headers: { authorization: `Bearer ${key}` } });
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.once("upgrade", (res) => resolve(res.headers));
      ws.once("error", reject);
    });
    ws.close();
    expect(headers["strata-max-frame-bytes"]).toBe(String(1024 * 1024));
  });

  it("accepts the key in ?token= and picks the encoding from the subprotocol", async () => {
    const c = await connect({ key: undefined, token: key, encoding: "msgpack" });
    expect(c.ws.protocol).toBe("strata.v1.msgpack");
    await c.roundTrip();
    const plain = await connect({ protocols: [] });
    expect(plain.ws.protocol).toBe("");
    await plain.roundTrip();
  });
});

describe.each<Encoding>(["json", "msgpack"])("appends and subscriptions (%s)", (encoding) => {
  it("acks an append and delivers its binary value byte-exact", async () => {
    const stream = await createStream();
    const c = await connect({ encoding });
    c.send({
      type: "append",
      id: "a1",
      stream,
      value: allBytes,
      headers: { kind: "bytes" },
      msg_id: "m-1",
    });
    c.send({ type: "append", id: 2, stream, value_text: "héllo" });
    await c.until(() => c.acks.length === 2);
    expect(c.acks[0]).toMatchObject({ id: "a1", seq: 1, first_seq: 1, last_seq: 1 });
    expect(c.acks[0]).toMatchObject({ ack: "durable", duplicate: false });
    expect(c.acks[1]).toMatchObject({ id: 2, seq: 2 });
    expect(new Date(c.acks[0]!.ts).getTime()).toBeGreaterThan(Date.now() - 60_000);

    c.send({ type: "append", id: "dup", stream, value: allBytes, msg_id: "m-1" });
    await c.until(() => c.acks.length === 3);
    expect(c.acks[2]).toMatchObject({ id: "dup", seq: 1, duplicate: true });

    const raw = await fetch(`${t.baseUrl}/v1/streams/${stream}/messages/1`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(Buffer.from(await raw.arrayBuffer()).equals(allBytes)).toBe(true);

    c.send({ type: "subscribe", id: "s", sub: "x", stream, from_seq: 1 });
    await c.until(() => c.messages("x").length === 2);
    const [first, second] = c.messages("x");
    expect(first!.value.equals(allBytes)).toBe(true);
    expect(first).toMatchObject({ seq: 1, headers: { kind: "bytes" }, msg_id: "m-1" });
    expect(second!.value.toString("utf8")).toBe("héllo");
    expect(c.frames.find((f) => f.type === "subscribed")).toMatchObject({ sub: "x", next_seq: 1 });
  });

  it("answers 1,000 pipelined appends with dense seqs in order, in few ack frames", async () => {
    const stream = await createStream();
    const c = await connect({ encoding });
    for (let i = 0; i < 1000; i++) c.send({ type: "append", id: i, stream, value_text: `m${i}` });
    await c.until(() => c.acks.length === 1000, 20_000);
    const acks = c.acks;
    expect(acks.map((a) => a.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(acks.map((a) => a.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(c.frames.filter((f) => f.type === "acks").length).toBeLessThan(100);
    expect(c.errors()).toEqual([]);
  });

  it("answers each pipelined append on its own when one of them fails", async () => {
    const stream = await createStream(key, { max_message_bytes: 8 });
    const c = await connect({ encoding });
    const values = ["a", "far too long", "b", "c", "also far too long", "d"];
    values.forEach((v, i) => c.send({ type: "append", id: i, stream, value_text: v }));
    await c.until(() => c.acks.length + c.errors().length === values.length);
    expect(c.acks.map((a) => [a.id, a.seq])).toEqual([
      [0, 1],
      [2, 2],
      [3, 3],
      [5, 4],
    ]);
    expect(c.errors().map((e) => [e.id, e.code, e.status])).toEqual([
      [1, "payload_too_large", 413],
      [4, "payload_too_large", 413],
    ]);
  });

  it("appends a batch all or nothing", async () => {
    const stream = await createStream();
    const c = await connect({ encoding });
    const messages = [{ value: allBytes }, { value_text: "b", headers: { h: "1" } }];
    c.send({ type: "append_batch", id: "b1", stream, messages });
    c.send({ type: "append_batch", id: "b2", stream, messages, expected_last_seq: 0 });
    await c.until(() => c.acks.length === 1 && c.errors().length === 1);
    expect(c.acks[0]).toMatchObject({ id: "b1", first_seq: 1, last_seq: 2, seq: 2 });
    expect(c.errors()[0]).toMatchObject({ id: "b2", code: "wrong_last_seq", status: 409 });
  });

  it("delivers every message exactly once, in order, while another connection appends", async () => {
    const stream = await createStream();
    const writer = await connect({ encoding });
    for (let i = 0; i < 200; i++)
      writer.send({ type: "append", id: i, stream, value_text: `${i}` });
    await writer.until(() => writer.acks.length === 200);

    const reader = await connect({ encoding });
    reader.send({ type: "subscribe", id: "s", sub: 7, stream, from_seq: 1 });
    for (let burst = 0; burst < 8; burst++) {
      for (let i = 0; i < 100; i++) {
        const n = 200 + burst * 100 + i;
        writer.send({ type: "append", id: n, stream, value_text: `${n}` });
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await reader.until(() => reader.messages(7).length >= 1000, 20_000);
    await reader.roundTrip();
    const got = reader.messages(7);
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(got.map((m) => m.value.toString())).toEqual(
      Array.from({ length: 1000 }, (_, i) => `${i}`),
    );
  });

  it("stops delivering after unsubscribe", async () => {
    const stream = await createStream();
    const c = await connect({ encoding });
    c.send({ type: "subscribe", id: "s", sub: "u", stream });
    await c.waitFor((f) => f.type === "subscribed");
    c.send({ type: "append", id: 1, stream, value_text: "before" });
    await c.until(() => c.messages("u").length === 1);
    c.send({ type: "unsubscribe", id: "x", sub: "u" });
    await c.waitFor((f) => f.type === "unsubscribed" && f.sub === "u");
    c.send({ type: "append", id: 2, stream, value_text: "after" });
    await c.until(() => c.acks.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    await c.roundTrip();
    expect(c.messages("u").map((m) => m.value.toString())).toEqual(["before"]);
    // The id is free again.
    c.send({ type: "subscribe", id: "s2", sub: "u", stream, from_seq: 2 });
    await c.until(() => c.messages("u").length === 2);
  });
});

describe("consumers", () => {
  it("moves a durable consumer with consumer_ack and resumes a subscription after it", async () => {
    const stream = await createStream();
    const c = await connect();
    for (let i = 1; i <= 10; i++) c.send({ type: "append", id: i, stream, value_text: `${i}` });
    await c.until(() => c.acks.length === 10);
    const put = await fetch(`${t.baseUrl}/v1/streams/${stream}/consumers/worker`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(put.status).toBe(201);

    c.send({ type: "consumer_ack", id: "ca", stream, consumer: "worker", seq: 6 });
    expect(await c.waitFor((f) => f.type === "consumer_acked")).toMatchObject({
      id: "ca",
      stream,
      consumer: "worker",
      acked_seq: 6,
    });
    const res = await fetch(`${t.baseUrl}/v1/streams/${stream}/consumers/worker`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await res.json()).toMatchObject({ acked_seq: 6, head: 10, lag: 4 });

    c.send({ type: "subscribe", id: "s", sub: "w", stream, consumer: "worker" });
    expect(await c.waitFor((f) => f.type === "subscribed")).toMatchObject({ next_seq: 7 });
    await c.until(() => c.messages("w").length === 4);

    c.send({ type: "consumer_ack", id: "nope", stream, consumer: "ghost", seq: 1 });
    expect(await c.waitFor((f) => f.type === "error" && f.id === "nope")).toMatchObject({
      code: "not_found",
      status: 404,
    });
  });
});

describe("tenancy", () => {
  it("answers not_found for another tenant's stream, for subscribe and append", async () => {
    const other = await t.tenantWithKey(["streams:read", "streams:write"]);
    const theirs = await createStream(other.secret);
    const c = await connect();
    c.send({ type: "subscribe", id: "s", sub: 1, stream: theirs });
    c.send({ type: "append", id: "a", stream: theirs, value_text: "x" });
    await c.until(() => c.errors().length === 2);
    expect(c.errors().find((e) => e.id === "s")).toMatchObject({
      sub: 1,
      code: "not_found",
      status: 404,
      retryable: false,
    });
    expect(c.errors().find((e) => e.id === "a")).toMatchObject({ code: "not_found" });
    // The sub id was never taken.
    const mine = await createStream();
    c.send({ type: "subscribe", id: "s2", sub: 1, stream: mine });
    await c.waitFor((f) => f.type === "subscribed");
  });

  it("answers forbidden for a stream outside the key's patterns or scopes", async () => {
    const { secret } = await t.tenantWithKey(["streams:read"], { patterns: ["orders.*"] });
    const c = await connect({ key: secret });
    c.send({ type: "append", id: "w", stream: "orders.eu", value_text: "x" });
    c.send({ type: "subscribe", id: "r", sub: "r", stream: "billing.eu" });
    await c.until(() => c.errors().length === 2);
    expect(c.errors().map((e) => e.code)).toEqual(["forbidden", "forbidden"]);
  });
});
