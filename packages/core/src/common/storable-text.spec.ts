import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { storableText } from "./storable-text.js";

describe("storableText", () => {
  it("accepts text, including characters outside the BMP", () => {
    expect(storableText("orders.eu")).toBe(true);
    expect(storableText("")).toBe(true);
    expect(storableText("grüße 😀 漢字")).toBe(true);
  });

  it("refuses NUL and lone surrogates", () => {
    expect(storableText("a\u0000b")).toBe(false);
    expect(storableText("\ud800")).toBe(false);
    expect(storableText("x\udc00y")).toBe(false);
    expect(storableText("\ude00\ud83d")).toBe(false);
  });

  it("agrees with a UTF-8 round trip and the absence of NUL", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const roundTrips = Buffer.from(s, "utf8").toString("utf8") === s;
        expect(storableText(s)).toBe(roundTrips && !s.includes("\u0000"));
      }),
      { seed: 20261207, numRuns: 2000 },
    );
  });
});
