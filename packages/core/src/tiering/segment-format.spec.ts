import { describe, expect, it } from "vitest";
import {
  decodeSegment,
  encodeSegment,
  type SegmentEntry,
  SegmentFormatError,
  sha256Hex,
} from "./segment-format.js";

const entries: SegmentEntry[] = [
  {
    seq: 7,
    ts: new Date("2026-01-01T00:00:00.123Z"),
    headers: { "content-type": "text/plain", "x-ü": "ä" },
    msgId: "m-7",
    value: Buffer.from("hello"),
    external: null,
  },
  { seq: 9, ts: new Date(1), headers: null, msgId: null, value: Buffer.alloc(0), external: null },
  {
    seq: 12,
    ts: new Date(2),
    headers: null,
    msgId: "big",
    value: null,
    external: { key: "streams/1/x/value-12", size: 5_000_000, sha256: sha256Hex(Buffer.from("v")) },
  },
];

describe("segment format v1", () => {
  it("round-trips messages with headers, msg ids, empty and external values", () => {
    const decoded = decodeSegment(encodeSegment(entries));
    expect(decoded.firstSeq).toBe(7);
    expect(decoded.lastSeq).toBe(12);
    expect(decoded.entries.map((e) => ({ ...e, value: e.value && Buffer.from(e.value) }))).toEqual(
      entries,
    );
  });

  it("starts with the magic and version, and ends with the SHA-256 of the rest", () => {
    const object = encodeSegment(entries);
    expect(object.subarray(0, 8).toString("ascii")).toBe("STRATSEG");
    expect(object.readUInt16BE(8)).toBe(1);
    expect(object.subarray(-32).toString("hex")).toBe(sha256Hex(object.subarray(0, -32)));
  });

  it("rejects a flipped bit, a truncated object and an unknown version", () => {
    const object = encodeSegment(entries);
    const flipped = Buffer.from(object);
    flipped[40] = flipped[40]! ^ 1;
    expect(() => decodeSegment(flipped)).toThrow(SegmentFormatError);
    expect(() => decodeSegment(object.subarray(0, object.byteLength - 1))).toThrow(
      SegmentFormatError,
    );
    const v2 = Buffer.from(object);
    v2.writeUInt16BE(2, 8);
    expect(() => decodeSegment(v2)).toThrow(/unknown format version 2/);
  });

  it("compresses repetitive values", () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      seq: i + 1,
      ts: new Date(i),
      headers: null,
      msgId: null,
      value: Buffer.from(`{"order":${i},"status":"shipped","region":"eu"}`),
      external: null,
    }));
    const raw = many.reduce((n, m) => n + m.value.byteLength, 0);
    expect(encodeSegment(many).byteLength).toBeLessThan(raw / 3);
  });
});
