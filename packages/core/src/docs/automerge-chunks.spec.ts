import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { CHUNK_TYPE, concatBytes, splitChunks } from "./automerge-chunks.js";
import { InvalidChange } from "./docs.errors.js";
import { changesFromBody } from "./docs-service.js";

function sample() {
  const base = A.from<Record<string, unknown>>({ a: 1 });
  const next = A.change(A.clone(base), (d) => {
    d.text = "x".repeat(2000);
  });
  return { base, next, changes: A.getAllChanges(next) };
}

describe("splitChunks", () => {
  it("splits concatenated changes back into the same changes", () => {
    const { changes } = sample();
    const chunks = splitChunks(concatBytes(changes));
    expect(chunks.map((c) => c.bytes)).toEqual(changes);
    expect(chunks.every((c) => c.type !== CHUNK_TYPE.document)).toBe(true);
  });

  it("recognizes a saved document", () => {
    const { next } = sample();
    const chunks = splitChunks(A.save(next));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.type).toBe(CHUNK_TYPE.document);
  });

  it("rejects garbage and truncated input", () => {
    const { changes } = sample();
    const whole = concatBytes(changes);
    expect(() => splitChunks(new TextEncoder().encode("hello, world"))).toThrow(InvalidChange);
    expect(() => splitChunks(whole.subarray(0, whole.length - 1))).toThrow(/truncated/);
    expect(splitChunks(new Uint8Array())).toEqual([]);
  });
});

describe("changesFromBody", () => {
  it("takes changes as they are and a saved document as all its changes", () => {
    const { next, changes } = sample();
    expect(changesFromBody(concatBytes(changes))).toEqual(changes);
    const fromSave = changesFromBody(A.save(next));
    expect(A.getHeads(A.loadIncremental(A.init(), concatBytes(fromSave)))).toEqual(
      A.getHeads(next),
    );
  });
});
