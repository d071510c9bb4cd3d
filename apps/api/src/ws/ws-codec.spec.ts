import { type Message } from "@strata/core";
import { Unpackr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { JsonCodec, MsgpackCodec } from "./ws-codec.js";
import { MalformedFrame } from "./ws-errors.js";

const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

const msg = (seq: number, value: Buffer): Message => ({
  seq,
  ts: new Date(Date.UTC(2026, 0, 1)),
  headers: seq % 2 ? { k: `v${seq}` } : null,
  value,
  msgId: seq % 3 ? null : `id-${seq}`,
});

type Decoded = { type: string; sub: unknown; msgs?: { seq: number; value: Buffer }[] };

describe(MsgpackCodec.name, () => {
  it("shares one delivery's frames between subscribers with the same sub id, and only those", () => {
    const codec = new MsgpackCodec(64 * 1024);
    const event = [msg(1, Buffer.from("a")), msg(2, Buffer.from("b"))];
    const first = codec.encodeDelivery(7, event);
    expect(codec.encodeDelivery(7, event)[0]).toBe(first[0]);
    const other = unpackr.unpack(codec.encodeDelivery(8, event)[0]!) as Decoded;
    expect(other.sub).toBe(8);
    expect(other.msgs!.map((m) => m.seq)).toEqual([1, 2]);
    // Another array (e.g. the tail a subscriber still needed) is its own delivery.
    const tail = unpackr.unpack(codec.encodeDelivery(7, event.slice(1))[0]!) as Decoded;
    expect(tail.msgs!.map((m) => m.seq)).toEqual([2]);
  });

  it.each([3, 15, 16, 70_000])(
    "builds msgs frames that decode as plain maps (%i messages)",
    (n) => {
      const codec = new MsgpackCodec(64 * 1024 * 1024);
      const messages = Array.from({ length: n }, (_, i) => msg(i + 1, Buffer.from([i & 0xff, 1])));
      const frames = codec.encodeDelivery("sub-1", messages);
      expect(frames).toHaveLength(1);
      const f = unpackr.unpack(frames[0]!) as Decoded;
      expect(f.type).toBe("msgs");
      expect(f.sub).toBe("sub-1");
      expect(f.msgs).toHaveLength(n);
      expect(f.msgs![n - 1]).toMatchObject({ seq: n });
      expect(Buffer.from(f.msgs![n - 1]!.value)).toEqual(Buffer.from([(n - 1) & 0xff, 1]));
      expect(f.msgs![0]).toEqual({
        seq: 1,
        ts: "2026-01-01T00:00:00.000Z",
        headers: { k: "v1" },
        msg_id: null,
        value: expect.anything(),
      });
    },
  );

  it("splits a delivery at the frame size and sends large values as msg_chunk, in order", () => {
    const codec = new MsgpackCodec(1024);
    const big = Buffer.alloc(1300, 7);
    const messages = [
      msg(1, Buffer.alloc(400)),
      msg(2, Buffer.alloc(400)),
      msg(3, big),
      msg(4, Buffer.alloc(10)),
    ];
    const frames = codec
      .encodeDelivery(9, messages)
      .map((b) => unpackr.unpack(b) as Decoded & Record<string, unknown>);
    expect(frames.map((f) => [f.type, f.msgs?.length ?? f.index])).toEqual([
      ["msgs", 2],
      ["msg_chunk", 0],
      ["msg_chunk", 1],
      ["msg_chunk", 2],
      ["msgs", 1],
    ]);
    expect(frames[1]).toMatchObject({ seq: 3, size: 1300, last: false, headers: { k: "v3" } });
    expect(frames[3]).toMatchObject({ last: true });
    expect(frames[3]).not.toHaveProperty("size");
    const joined = Buffer.concat(frames.slice(1, 4).map((f) => f.value as Buffer));
    expect(joined.equals(big)).toBe(true);
  });

  it("rejects text frames and bytes that are not one msgpack value", () => {
    const codec = new MsgpackCodec(1024);
    expect(() => codec.decode(Buffer.from("{}"), false)).toThrow(MalformedFrame);
    expect(() => codec.decode(Buffer.from([0x92, 0x01]), true)).toThrow(/not valid msgpack/);
    expect(() => codec.decode(Buffer.from([0x01, 0x02]), true)).toThrow(/exactly one/);
  });
});

describe(JsonCodec.name, () => {
  it("sends values as base64 and keeps chunks within the frame size", () => {
    const codec = new JsonCodec(1024);
    const big = Buffer.alloc(1000, 9);
    const frames = codec.encodeDelivery("s", [msg(1, Buffer.from("hi")), msg(2, big)]);
    const parsed = frames.map((b) => JSON.parse(b.toString()) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({
      type: "msgs",
      sub: "s",
      msgs: [{ seq: 1, value_base64: "aGk=" }],
    });
    const chunks = parsed.slice(1);
    expect(chunks.every((c) => c.type === "msg_chunk")).toBe(true);
    for (const b of frames) expect(b.byteLength).toBeLessThanOrEqual(1024);
    const joined = Buffer.concat(
      chunks.map((c) => Buffer.from(c.value_base64 as string, "base64")),
    );
    expect(joined.equals(big)).toBe(true);
  });

  it("rejects invalid JSON naming the frame", () => {
    expect(() => new JsonCodec(1024).decode(Buffer.from("{"))).toThrow(/is not valid JSON/);
  });
});
