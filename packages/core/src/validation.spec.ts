import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ValidationFailed } from "./errors.js";
import { parseInput } from "./validation.js";

describe(parseInput.name, () => {
  const schema = z.strictObject({ name: z.string(), items: z.array(z.object({ n: z.number() })) });

  it("returns the parsed value", () => {
    expect(parseInput(schema, { name: "a", items: [] })).toEqual({ name: "a", items: [] });
  });

  it("names nested fields, unknown fields one by one, and the source prefix", () => {
    try {
      parseInput(schema, { name: 1, items: [{ n: "x" }], extra: 1, more: 2 }, "query");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationFailed);
      const paths = (err as ValidationFailed).issues.map((i) => i.path).sort();
      expect(paths).toEqual(["query.extra", "query.items.0.n", "query.more", "query.name"]);
    }
  });
});
