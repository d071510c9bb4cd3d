import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { decodeChanges, storedBytes } from "./doc-content.js";
import { loadRawDoc } from "./sync/raw-automerge.js";

type Counter = { n: number };

function history() {
  let doc = A.from<Counter>({ n: 0 });
  const snapshot = A.save(doc);
  const before = A.getHeads(doc);
  const later: Uint8Array[] = [];
  for (let i = 1; i <= 3; i++) {
    doc = A.change(doc, (d) => {
      d.n = i;
    });
    later.push(A.getLastLocalChange(doc)!);
  }
  return { doc, snapshot, before, later };
}

describe("storedBytes", () => {
  it("loads as the snapshot followed by the changes stored after it", () => {
    const { doc, snapshot, later } = history();
    const bytes = storedBytes({
      snapshot: { id: 1, bytes: snapshot },
      changes: decodeChanges(later),
    });
    expect(A.getHeads(A.load<Counter>(bytes))).toEqual(A.getHeads(doc));
    expect(A.load<Counter>(bytes).n).toBe(3);
    expect(loadRawDoc(bytes).getHeads()).toEqual(A.getHeads(doc));
  });

  it("ignores rows already folded into the snapshot (an interrupted compaction)", () => {
    const { doc, later } = history();
    const bytes = storedBytes({
      snapshot: { id: 1, bytes: A.save(doc) },
      changes: decodeChanges(later),
    });
    expect(loadRawDoc(bytes).getHeads()).toEqual(A.getHeads(doc));
  });

  it("queues a row whose deps are missing instead of failing", () => {
    const { snapshot, before, later } = history();
    const bytes = storedBytes({
      snapshot: { id: 1, bytes: snapshot },
      changes: decodeChanges(later.slice(1)),
    });
    const raw = loadRawDoc(bytes);
    expect(raw.getHeads()).toEqual(before);
    expect(raw.getMissingDeps()).toHaveLength(1);
  });

  it("is an empty document when nothing is stored", () => {
    expect(A.getHeads(A.load(storedBytes({ snapshot: null, changes: [] })))).toEqual([]);
    const { later } = history();
    expect(storedBytes({ snapshot: null, changes: decodeChanges(later.slice(0, 1)) })).toBe(
      later[0],
    );
  });
});
