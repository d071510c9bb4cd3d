import { describe, expect, it } from "vitest";
import { browseParams } from "./browse-params";

describe(browseParams.name, () => {
  it("reads seq, page size and view from the URL", () => {
    expect(browseParams({ from_seq: "7", limit: "50", view: "hex" }, 1)).toEqual({
      fromSeq: 7,
      limit: 50,
      view: "hex",
    });
  });

  it("starts at the stream's first seq with 20 as text when the URL says nothing", () => {
    expect(browseParams({}, 40)).toEqual({ fromSeq: 40, limit: 20, view: "text" });
    // A purged stream reports first_seq past its end; an empty new one 0.
    expect(browseParams({}, 0).fromSeq).toBe(1);
  });

  it("falls back on bad values and caps the page at 500", () => {
    expect(browseParams({ from_seq: "-3", limit: "1.5", view: "yaml" }, 5)).toEqual({
      fromSeq: 5,
      limit: 20,
      view: "text",
    });
    expect(browseParams({ limit: "10000" }, 1).limit).toBe(500);
  });
});
