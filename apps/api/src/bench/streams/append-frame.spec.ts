import fc from "fast-check";
import { Packr } from "msgpackr";
import { describe, expect, it } from "vitest";
import { encodeAppendFrame } from "./append-frame.js";

const packr = new Packr({ useRecords: false });

describe("encodeAppendFrame", () => {
  it("decodes to the frame it was given, as the server reads it", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xffffffff }),
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.uint8Array({ maxLength: 70_000 }).filter((v) => v.byteLength <= 0xffff),
        (id, stream, value) => {
          const frame = { type: "append", id, stream, value: Buffer.from(value) };
          expect(packr.unpack(encodeAppendFrame(id, stream, value))).toEqual(frame);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses what it cannot encode instead of writing a wrong frame", () => {
    expect(() => encodeAppendFrame(1, "s", new Uint8Array(70_000))).toThrow(RangeError);
    expect(() => encodeAppendFrame(2 ** 33, "s", new Uint8Array(1))).toThrow(RangeError);
  });
});
