import { describe, expect, it } from "vitest";
import { placementParams } from "./placement-params";

describe(placementParams.name, () => {
  it("reads node, tenant and kind from the URL, trimmed", () => {
    expect(
      placementParams({ node: " node-1 ", tenant: ["acme", "globex"], kind: "bucket" }),
    ).toEqual({ node: "node-1", tenant: "acme", kind: "bucket" });
  });

  it("ignores an unknown kind and blank filters instead of failing", () => {
    expect(placementParams({ node: "  ", kind: "table" })).toEqual({
      node: undefined,
      tenant: undefined,
      kind: undefined,
    });
  });
});
