import { CLIENT_FRAME_TYPES } from "@strata/core";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "./support/test-app.js";
import { type Encoding, TestWsClient } from "./support/ws-client.js";

/**
 * Every client frame type, in both encodings, with hostile field values
 * (NUL, lone surrogates, huge and negative numbers, wrong types, deep and
 * wide structures, unknown fields), plus bytes that are no frame at all.
 * Whatever arrives, the server answers with a 4xx error frame or closes the
 * connection with a protocol close code; it never answers 5xx, and it keeps
 * serving: every connection that stays open still answers a ping, and a
 * fresh connection works afterwards.
 */

const packr = new Packr({ useRecords: false });
const PROTOCOL_CLOSES = [1002, 1003, 1007, 1008, 1009];

let t: TestApp;
let key: string;
beforeAll(async () => {
  t = await startTestApp();
  ({ secret: key } = await t.tenantWithKey([
    "streams:read",
    "streams:write",
    "kv:read",
    "kv:write",
  ]));
  const auth = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  expect(
    (await fetch(`${t.baseUrl}/v1/streams/s`, { method: "PUT", headers: auth, body: "{}" })).ok,
  ).toBe(true);
  expect(
    (await fetch(`${t.baseUrl}/v1/kv/b`, { method: "PUT", headers: auth, body: "{}" })).ok,
  ).toBe(true);
});
afterAll(() => t?.close());

const hostileString = fc.oneof(
  fc.constantFrom(
    "",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "s",
    "b",
    "k",
    "c",
    "x".repeat(300),
    "../..",
    "🦀",
    "\u202e",
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);
const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 53, -(2 ** 53), 2 ** 64, 1e308, 0.5, Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const leaf = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
);
/** Nested values, sometimes deeper than the server allows. */
const nested = fc.oneof(
  fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: 4 }),
    object: fc.dictionary(hostileString, tie("value"), { maxKeys: 4 }),
  })).value,
  fc.integer({ min: 50, max: 400 }).map((depth) => {
    let v: unknown = "deep";
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
    return v;
  }),
);
const FIELDS = [
  "id",
  "sub",
  "stream",
  "bucket",
  "key",
  "keys",
  "value",
  "value_base64",
  "value_text",
  "value_json",
  "headers",
  "msg_id",
  "messages",
  "entries",
  "from_seq",
  "from_revision",
  "seq",
  "consumer",
  "index",
  "last",
  "expected_last_seq",
  "expected_revision",
  "ack",
  "prefix",
  "ttl_ms",
  "extra",
];
/** A valid frame of each type: the fuzz changes one or two of its fields, so it gets past the type check. */
const VALID: Record<string, Record<string, unknown>> = {
  append: { id: 1, stream: "s", value: Buffer.from("v") },
  append_batch: { id: 1, stream: "s", messages: [{ value: Buffer.from("v") }] },
  append_chunk: { id: 1, stream: "s", index: 0, last: true, value: Buffer.from("v") },
  subscribe: { id: 1, sub: 1, stream: "s", from_seq: 1 },
  unsubscribe: { id: 1, sub: 1 },
  consumer_ack: { id: 1, stream: "s", consumer: "c", seq: 1 },
  ping: { id: 1 },
  "kv.watch": { id: 1, sub: 2, bucket: "b" },
  "kv.put": { id: 1, bucket: "b", key: "k", value: Buffer.from("v") },
  "kv.delete": { id: 1, bucket: "b", key: "k" },
  "kv.get": { id: 1, bucket: "b", key: "k" },
  "kv.put_batch": { id: 1, bucket: "b", entries: [{ key: "k", value: Buffer.from("v") }] },
  "kv.get_batch": { id: 1, bucket: "b", keys: ["k"] },
};
const frame = fc.oneof(
  // Valid as they are: the connection must go on serving between hostile frames.
  fc.constantFrom(...CLIENT_FRAME_TYPES).map((type) => ({ type, fields: VALID[type]! })),
  // Mostly valid: one or two fields hostile (or an unknown one added).
  fc
    .record({
      type: fc.constantFrom(...CLIENT_FRAME_TYPES),
      changes: fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(leaf, nested), {
        minKeys: 1,
        maxKeys: 2,
      }),
    })
    .map(({ type, changes }) => ({ type, fields: { ...VALID[type], ...changes } })),
  // Anything at all under a known or unknown type.
  fc.record({
    type: fc.oneof(fc.constantFrom(...CLIENT_FRAME_TYPES), hostileString),
    fields: fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(leaf, nested), { maxKeys: 8 }),
  }),
);
/** Bytes that are no frame of the encoding: truncated, garbage, the other encoding. */
const garbage = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.constantFrom("{", "[]", "null", '"append"', '{"type":', "\u0000"),
);

type Sent = { data: Buffer | string; binary: boolean };

function encodeFrame(
  encoding: Encoding,
  f: { type: string; fields: Record<string, unknown> },
): Sent {
  const body = { ...f.fields, type: f.type };
  if (encoding === "msgpack") return { data: packr.pack(body), binary: true };
  return { data: JSON.stringify(forJson(body)), binary: false };
}

/** JSON frames carry values as `value_base64`; any other Buffer goes as a base64 string. */
function forJson(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString("base64");
  if (Array.isArray(v)) return v.map(forJson);
  if (!v || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === "value" && Buffer.isBuffer(x)) out.value_base64 = x.toString("base64");
    else out[k] = forJson(x);
  }
  return out;
}

/** Sends `sent`; then the connection must either answer a ping or have closed with a protocol code. */
async function survives(c: TestWsClient, sent: Sent): Promise<"open" | number> {
  const closed = new Promise<number>((resolve) => c.ws.once("close", (code) => resolve(code)));
  c.sendRaw(sent.data, sent.binary);
  const pinged = c.roundTrip().then(
    () => "open" as const,
    () => closed,
  );
  return Promise.race([pinged, closed]);
}

describe.each(["json", "msgpack"] as const)("WS frame fuzz (%s)", (encoding) => {
  it("never answers 5xx and keeps serving, whatever the frames hold", async () => {
    let c = await TestWsClient.connect(t.baseUrl, { key, encoding });
    const seen = { refused: 0, served: 0 };
    const count = (x: TestWsClient) => {
      seen.refused += x.errors().length;
      seen.served += x.frames.filter((f) =>
        ["acks", "kv.acks", "kv.entries", "subscribed", "kv.watching"].includes(f.type),
      ).length;
    };
    const check = async (sent: Sent) => {
      const outcome = await survives(c, sent);
      const serverErrors = c.errors().filter((e) => Number(e.status) >= 500);
      expect(serverErrors, JSON.stringify(serverErrors.slice(0, 2))).toEqual([]);
      if (outcome !== "open") {
        expect(PROTOCOL_CLOSES).toContain(outcome);
        count(c);
        c = await TestWsClient.connect(t.baseUrl, { key, encoding });
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          frame.map((f) => encodeFrame(encoding, f)),
          garbage.map((g) => ({
            data: typeof g === "string" ? g : g,
            binary: typeof g !== "string",
          })),
        ),
        check,
      ),
      { numRuns: 400 },
    );
    count(c);
    await c.close();
    // The fuzz reached both sides: frames refused with 4xx errors, and mutated frames still served.
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.served).toBeGreaterThan(0);
    // The node still serves new connections and plain requests.
    const fresh = await TestWsClient.connect(t.baseUrl, { key, encoding });
    fresh.send({ type: "append", id: "after", stream: "s", value: Buffer.from("ok") });
    const ack = await fresh.waitFor((f) => f.type === "acks" || f.type === "error");
    expect(ack.type).toBe("acks");
    await fresh.close();
    expect((await fetch(`${t.baseUrl}/health/ready`)).status).toBe(200);
  }, 120_000);
});
