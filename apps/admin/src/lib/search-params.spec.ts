import { describe, expect, it } from "vitest";
import { firstParam } from "./search-params";

describe(firstParam.name, () => {
  it("takes the first of repeated values, the value itself, or nothing", () => {
    expect(firstParam(["a", "b"])).toBe("a");
    expect(firstParam("a")).toBe("a");
    expect(firstParam(undefined)).toBeUndefined();
    expect(firstParam([])).toBeUndefined();
  });
});
