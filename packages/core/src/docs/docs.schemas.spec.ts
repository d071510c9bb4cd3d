import { describe, expect, it } from "vitest";
import { ValidationFailed } from "../errors.js";
import { parseHeads } from "./docs.schemas.js";

const h = (c: string) => c.repeat(64);

describe("parseHeads", () => {
  it("parses comma-separated hashes, sorted and de-duplicated", () => {
    expect(parseHeads(`${h("b")},${h("a")}, ${h("B")}`, "query.heads")).toEqual([h("a"), h("b")]);
    expect(parseHeads(undefined, "query.heads")).toEqual([]);
    expect(parseHeads("", "query.heads")).toEqual([]);
  });

  it("names the field and the bad value", () => {
    expect(() => parseHeads(`${h("a")},xyz`, "query.since")).toThrow(ValidationFailed);
    expect(() => parseHeads("xyz", "query.since")).toThrow(/query.since: 'xyz'/);
  });
});
