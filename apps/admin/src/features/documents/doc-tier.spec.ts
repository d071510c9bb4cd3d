import { describe, expect, it } from "vitest";
import { docTier } from "./doc-tier";

describe(docTier.name, () => {
  it("is the snapshot's tier", () => {
    expect(docTier({ snapshot_tier: "cold" })).toEqual({ tier: "cold" });
    expect(docTier({ snapshot_tier: "hot" })).toEqual({ tier: "hot" });
  });

  it("is hot with a note before the first snapshot", () => {
    expect(docTier({ snapshot_tier: null })).toEqual({ tier: "hot", note: "no snapshot yet" });
    // An API that says "hot" for a document with no snapshot row at all.
    expect(docTier({ snapshots: 0, snapshot_tier: "hot" })).toEqual({
      tier: "hot",
      note: "no snapshot yet",
    });
    expect(docTier({ snapshots: 1, snapshot_tier: "cold" })).toEqual({ tier: "cold" });
  });

  it("is unknown when the API does not say", () => {
    expect(docTier({})).toBeUndefined();
    expect(docTier({ tier: "cold" })).toEqual({ tier: "cold" });
  });
});
