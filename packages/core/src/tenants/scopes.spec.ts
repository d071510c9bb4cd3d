import { describe, expect, it } from "vitest";
import { namesAllowed, patternMatches } from "./scopes.js";

describe(patternMatches.name, () => {
  it.each([
    ["orders.*", "orders.eu", true],
    ["orders.*", "orders", false],
    ["orders.*", "orders.eu.west", false],
    ["orders.>", "orders.eu.west", true],
    ["orders.>", "orders", false],
    ["*.eu", "orders.eu", true],
    ["*.eu", "orders.us", false],
    [">", "anything.at.all", true],
    ["orders", "orders", true],
    ["orders", "orders2", false],
    ["orders.eu", "orders.eu", true],
  ])("%s against %s is %s", (pattern, name, expected) => {
    expect(patternMatches(pattern, name)).toBe(expected);
  });
});

describe(namesAllowed.name, () => {
  it("admits every name when a key has no patterns", () => {
    expect(namesAllowed([], "x.y")).toBe(true);
  });
  it("admits a name any pattern matches", () => {
    expect(namesAllowed(["a.*", "b.>"], "b.c.d")).toBe(true);
    expect(namesAllowed(["a.*", "b.>"], "c")).toBe(false);
  });
});
