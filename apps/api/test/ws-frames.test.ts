import { randomBytes } from "node:crypto";
import { Packr } from "msgpackr";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { WsServer } from "../src/ws/ws-server.js";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { type Encoding, TestWsClient } from "./support/ws-client.js";

let t: TestApp;
let key: string;
const open: TestWsClient[] = [];
const MiB = 1024 * 1024;

beforeAll(async () => {
  t = await startTestApp();
  ({ secret: key } = await t.tenantWithKey(["streams:read", "streams:write"]));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});
afterAll(() => t?.close());

async function connect(encoding: Encoding = "json") {
  const c = await TestWsClient.connect(t.baseUrl, { key, encoding });
  open.push(c);
  return c;
}

async function createStream(): Promise<string> {
  const name = `s-${randomBytes(4).toString("hex")}`;
  const res = await fetch(`${t.baseUrl}/v1/streams/${name}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: "{}",
  });
  expect(res.status).toBe(201);
  return name;
}

const packr = new Packr({ useRecords: false });

describe("malformed frames", () => {
  it.each([
    ["invalid JSON", "json", "{nope", false, ""],
    ["a text frame on msgpack", "msgpack", '{"type":"ping","id":1}', false, ""],
    ["invalid msgpack", "msgpack", Buffer.from([0xc1, 0x00]), true, ""],
    ["truncated msgpack", "msgpack", packr.pack({ type: "ping", id: 1 }).subarray(0, 5), true, ""],
    ["a frame that is not an object", "json", "42", false, ""],
    ["an unknown type", "json", '{"type":"publish","id":1}', false, "type"],
    ["a missing type", "json", '{"id":1}', false, "type"],
    ["a missing stream", "json", '{"type":"append","id":1,"value_text":"x"}', false, "stream"],
    ["a missing value", "json", '{"type":"append","id":1,"stream":"s"}', false, "value"],
    [
      "two values",
      "json",
      '{"type":"append","id":1,"stream":"s","value_text":"x","value_base64":"eA=="}',
      false,
      "value",
    ],
    ["a bad id", "json", '{"type":"ping","id":{"a":1}}', false, "id"],
    [
      "a stream that is a number",
      "json",
      '{"type":"append","id":1,"stream":5,"value_text":"x"}',
      false,
      "stream",
    ],
    [
      "a bad stream name",
      "json",
      '{"type":"subscribe","id":1,"sub":1,"stream":"a b"}',
      false,
      "stream",
    ],
    [
      "bad base64",
      "json",
      '{"type":"append","id":1,"stream":"s","value_base64":"%%%"}',
      false,
      "value_base64",
    ],
    ["an unknown field", "json", '{"type":"ping","id":1,"extra":true}', false, "extra"],
    [
      "a bad ack level",
      "json",
      '{"type":"append","id":1,"stream":"s","value_text":"x","ack":"all"}',
      false,
      "ack",
    ],
    [
      "a bad header",
      "json",
      '{"type":"append","id":1,"stream":"s","value_text":"x","headers":{"a b":"c"}}',
      false,
      "headers.a b",
    ],
    [
      "a negative seq",
      "json",
      '{"type":"subscribe","id":1,"sub":1,"stream":"s","from_seq":0}',
      false,
      "from_seq",
    ],
    [
      "a bad batch entry",
      "json",
      '{"type":"append_batch","id":1,"stream":"s","messages":[{"value_text":"a"},{}]}',
      false,
      "messages.1.value",
    ],
    [
      "a value that is text in msgpack",
      "msgpack",
      packr.pack({ type: "append", id: 1, stream: "s", value: "text" }),
      true,
      "value",
    ],
    [
      "a wrongly typed field in msgpack",
      "msgpack",
      packr.pack({ type: "consumer_ack", id: 1, stream: "s", consumer: "c", seq: "5" }),
      true,
      "seq",
    ],
  ] as const)(
    "answers %s with malformed_frame naming the field, and carries on",
    async (_, encoding, data, binary, path) => {
      const c = await connect(encoding);
      c.sendRaw(data as Buffer | string, binary);
      const err = await c.waitFor((f) => f.type === "error");
      expect(err).toMatchObject({ code: "malformed_frame", status: 400, retryable: false });
      const issues = (err.details as { errors: { path: string; message: string }[] }).errors;
      expect(issues[0]!.path).toBe(path);
      expect(err.message).toContain(path ? `${path}:` : "frame:");
      await c.roundTrip();
    },
  );

  it("echoes the id of a frame that failed validation when the id itself is usable", async () => {
    const c = await connect();
    c.sendRaw('{"type":"append","id":"req-9","stream":"s"}', false);
    expect(await c.waitFor((f) => f.type === "error")).toMatchObject({ id: "req-9" });
  });

  it("closes with 1009 on a frame over the limit and keeps serving other connections", async () => {
    const stream = await createStream();
    const big = await connect("msgpack");
    const other = await connect();
    const closed = new Promise<number>((resolve) => big.ws.once("close", (code) => resolve(code)));
    big.send({ type: "append", id: 1, stream, value: Buffer.alloc(MiB + 1) });
    expect(await closed).toBe(1009);
    other.send({ type: "append", id: 1, stream, value_text: "still here" });
    await other.until(() => other.acks.length === 1);
    const again = await connect("msgpack");
    await again.roundTrip();
  });
});

describe("large values in chunks", () => {
  it.each<Encoding>(["msgpack", "json"])(
    "appends a value larger than a frame with append_chunk and delivers it in msg_chunk frames (%s)",
    async (encoding) => {
      const stream = await createStream();
      const c = await connect(encoding);
      const value = randomBytes(3 * MiB + 12345);
      const piece = encoding === "json" ? 512 * 1024 : 768 * 1024;
      const count = Math.ceil(value.length / piece);
      c.send({ type: "append", id: "small", stream, value_text: "first" });
      for (let index = 0; index < count; index++) {
        c.send({
          type: "append_chunk",
          id: "big",
          stream,
          index,
          last: index === count - 1,
          value: value.subarray(index * piece, (index + 1) * piece),
          ...(index === 0 ? { headers: { name: "blob" }, msg_id: "blob-1" } : {}),
        });
      }
      c.send({ type: "append", id: "after", stream, value_text: "last" });
      await c.until(() => c.acks.length === 3, 20_000);
      expect(c.acks.map((a) => [a.id, a.seq])).toEqual([
        ["small", 1],
        ["big", 2],
        ["after", 3],
      ]);

      c.send({ type: "subscribe", id: "s", sub: "b", stream, from_seq: 1 });
      await c.until(() => c.messages("b").length === 3, 20_000);
      const [, blob, last] = c.messages("b");
      expect(blob!.value.equals(value)).toBe(true);
      expect(blob).toMatchObject({ seq: 2, headers: { name: "blob" }, msg_id: "blob-1" });
      expect(last!.value.toString()).toBe("last");
      const chunks = c.frames.filter((f) => f.type === "msg_chunk");
      expect(chunks.length).toBeGreaterThan(3);
      expect(chunks[0]).toMatchObject({ index: 0, size: value.length, last: false });
    },
  );

  it("rejects chunks out of order, and the value can start over", async () => {
    const stream = await createStream();
    const c = await connect("msgpack");
    c.send({
      type: "append_chunk",
      id: "v",
      stream,
      index: 0,
      last: false,
      value: Buffer.from("ab"),
    });
    c.send({
      type: "append_chunk",
      id: "v",
      stream,
      index: 2,
      last: true,
      value: Buffer.from("cd"),
    });
    const err = await c.waitFor((f) => f.type === "error");
    expect(err).toMatchObject({ id: "v", code: "malformed_frame" });
    expect(err.message).toMatch(/^index: must be 1/);
    c.send({
      type: "append_chunk",
      id: "v",
      stream,
      index: 0,
      last: false,
      value: Buffer.from("ab"),
    });
    c.send({
      type: "append_chunk",
      id: "v",
      stream,
      index: 1,
      last: true,
      value: Buffer.from("cd"),
    });
    await c.until(() => c.acks.length === 1);
    const res = await fetch(`${t.baseUrl}/v1/streams/${stream}/messages/1`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await res.text()).toBe("abcd");
  });
});

describe("limits", () => {
  it("answers too_many_in_flight past 10,000 outstanding appends and keeps the connection", async () => {
    const stream = await createStream();
    const c = await connect("msgpack");
    const total = 12_000;
    const frames = Array.from({ length: total }, (_, i) =>
      packr.pack({ type: "append", id: i, stream, value: Buffer.from([i & 0xff]) }),
    );
    // Sent in one burst: the server reads it before the first commits return.
    for (const f of frames) c.ws.send(f, { binary: true });
    await c.until(() => c.acks.length + c.errors().length === total, 30_000);
    const rejected = c.errors();
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]).toMatchObject({ code: "too_many_in_flight", status: 429, retryable: true });
    const seqs = c.acks.map((a) => a.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: c.acks.length }, (_, i) => i + 1));
    await c.roundTrip();
  });

  it("refuses a second subscription with the same sub id", async () => {
    const stream = await createStream();
    const c = await connect();
    c.send({ type: "subscribe", id: 1, sub: "same", stream });
    c.send({ type: "subscribe", id: 2, sub: "same", stream });
    expect(await c.waitFor((f) => f.type === "error")).toMatchObject({
      id: 2,
      sub: "same",
      code: "subscription_exists",
    });
  });

  it("closes every connection with 1001 at shutdown", async () => {
    const own = await startTestApp();
    try {
      const { secret } = await own.tenantWithKey(["streams:read"]);
      const c = await TestWsClient.connect(own.baseUrl, { key: secret });
      const code = new Promise<number>((resolve) => c.ws.once("close", (n) => resolve(n)));
      expect(own.app.get(WsServer).stats().connections).toBe(1);
      await own.app.close();
      expect(await code).toBe(1001);
    } finally {
      await own.pool.end().catch(() => {});
      await own.db.drop();
    }
  });
});
