import { describe, expect, it } from "vitest";
import { alertLabel } from "./alert-kinds";

describe(alertLabel.name, () => {
  it("names known kinds with their tone", () => {
    expect(alertLabel("split_brain")).toEqual({ label: "Split brain", tone: "bad" });
    expect(alertLabel("lag")).toEqual({ label: "Lag", tone: "warn" });
  });

  it("words an unknown kind from its id, as a warning", () => {
    expect(alertLabel("disk_almost_full")).toEqual({ label: "disk almost full", tone: "warn" });
  });
});
