import { describe, expect, it } from "vitest";
import { preferredOwner } from "./rendezvous.js";

const nodes = (...names: string[]) => names.map((name) => ({ name }));
const resources = Array.from({ length: 4000 }, (_, i) => `stream:${i}`);

describe(preferredOwner.name, () => {
  it("spreads resources about evenly", () => {
    const counts = new Map<string, number>();
    for (const r of resources) {
      const owner = preferredOwner(r, nodes("a", "b", "c"))!.name;
      counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
    for (const n of counts.values()) expect(n).toBeGreaterThan(1100);
  });

  it("moves only about a quarter of resources, all to the new node, when a fourth node joins", () => {
    let moved = 0;
    for (const r of resources) {
      const before = preferredOwner(r, nodes("a", "b", "c"))!.name;
      const after = preferredOwner(r, nodes("a", "b", "c", "d"))!.name;
      if (before !== after) {
        moved++;
        expect(after).toBe("d");
      }
    }
    expect(moved / resources.length).toBeGreaterThan(0.2);
    expect(moved / resources.length).toBeLessThan(0.3);
  });

  it("does not depend on the order nodes are listed in, and has no owner without nodes", () => {
    for (const r of resources.slice(0, 100)) {
      expect(preferredOwner(r, nodes("a", "b", "c"))).toEqual(
        preferredOwner(r, nodes("c", "a", "b")),
      );
    }
    expect(preferredOwner("x", [])).toBeUndefined();
  });
});
