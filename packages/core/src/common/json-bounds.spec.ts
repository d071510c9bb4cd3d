import { describe, expect, it } from "vitest";
import { jsonBoundsIssue, MAX_JSON_DEPTH } from "./json-bounds.js";

const nested = (n: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe("jsonBoundsIssue", () => {
  it("accepts values up to the depth limit", () => {
    expect(jsonBoundsIssue(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonBoundsIssue({ a: [1, "x", null, { b: true }] })).toBeUndefined();
  });

  it("names the level past the limit, on any depth without overflowing", () => {
    const issue = jsonBoundsIssue(nested(MAX_JSON_DEPTH + 1));
    expect(issue?.message).toMatch(`deeper than ${MAX_JSON_DEPTH} levels`);
    expect(jsonBoundsIssue(nested(1_000_000))?.message).toMatch("deeper than");
    expect(jsonBoundsIssue(nested(3, 1), { maxDepth: 2 })?.path).toBe("a.0");
  });

  it("refuses unstorable strings and keys only when asked, naming where", () => {
    const value = { ok: "fine", list: ["x", "a\u0000b"] };
    expect(jsonBoundsIssue(value)).toBeUndefined();
    expect(jsonBoundsIssue(value, { storable: true })?.path).toBe("list.1");
    expect(jsonBoundsIssue({ "k\ud800": 1 }, { storable: true })?.path).toBe("k\ud800");
  });

  it("does not walk into binary values", () => {
    expect(jsonBoundsIssue({ value: new Uint8Array(10) }, { maxDepth: 1 })).toBeUndefined();
  });
});
