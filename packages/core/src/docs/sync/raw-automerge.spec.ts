import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../automerge-chunks.js";
import { changeHash, loadRawDoc, loadRawDocYielding } from "./raw-automerge.js";

type Blobs = { blobs: Uint8Array[] };

/** A snapshot, then changes of 300 KiB each: several 1 MiB batches. */
function stored() {
  let doc = A.from<Blobs>({ blobs: [] });
  const snapshot = A.save(doc);
  const changes: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) {
    doc = A.change(doc, (d) => {
      d.blobs.push(new Uint8Array(300 * 1024).fill(i));
    });
    changes.push(A.getLastLocalChange(doc)!);
  }
  return { doc, snapshot, changes };
}

describe("loadRawDocYielding", () => {
  it("loads a snapshot followed by changes to the same heads as one load", async () => {
    const { doc, snapshot, changes } = stored();
    const bytes = concatBytes([snapshot, ...changes]);
    const raw = await loadRawDocYielding(bytes);
    expect(raw.getHeads()).toEqual(A.getHeads(doc));
    expect(raw.getHeads()).toEqual(loadRawDoc(bytes).getHeads());
    expect(A.getHeads(A.load(raw.save()))).toEqual(A.getHeads(doc));
  });

  it("loads changes alone, and queues the ones whose deps are missing", async () => {
    const { doc, snapshot, changes } = stored();
    expect((await loadRawDocYielding(concatBytes(changes.slice(1)))).getHeads()).toEqual([]);
    expect((await loadRawDocYielding(concatBytes([A.save(doc), ...changes]))).getHeads()).toEqual(
      A.getHeads(doc),
    );
    const gap = await loadRawDocYielding(
      concatBytes([snapshot, ...changes.slice(0, 3), ...changes.slice(4)]),
    );
    expect(gap.getHeads()).toEqual([A.decodeChange(changes[2]!).hash]);
    expect(gap.getMissingDeps()).toEqual([A.decodeChange(changes[3]!).hash]);
  });

  it("lets other work run between its steps", async () => {
    const { snapshot, changes } = stored();
    let ran = false;
    const loading = loadRawDocYielding(concatBytes([snapshot, ...changes]));
    setImmediate(() => (ran = true));
    await loading;
    expect(ran).toBe(true);
  });

  it("is an empty document for no bytes", async () => {
    expect((await loadRawDocYielding(new Uint8Array(0))).getHeads()).toEqual([]);
  });
});

describe("changeHash", () => {
  it("is Automerge's hash for small and large change chunks, and rejects a corrupt one", () => {
    const { changes } = stored();
    let doc = A.from({ n: 0 });
    doc = A.change(doc, (d) => (d.n = 1));
    const all = [...A.getAllChanges(doc), ...changes];
    for (const c of all) expect(changeHash(c)).toBe(A.decodeChange(c).hash);
    const corrupt = A.getLastLocalChange(doc)!.slice();
    corrupt[corrupt.length - 1]! ^= 0xff;
    expect(() => changeHash(corrupt)).toThrow();
  });
});
