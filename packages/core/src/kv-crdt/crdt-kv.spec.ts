import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { type DocRef, type DocumentId, type DurableChanges } from "../docs/documents.js";
import { type KvEvent } from "../kv/kv.js";
import { CrdtKv } from "./crdt-kv.js";
import { CrdtKvWatch } from "./crdt-kv-watch.js";

/** The documents machinery reduced to one durable document and its change feed. */
class FakeDocs {
  doc = A.init<Record<string, unknown>>();
  failNext = false;
  private readonly listeners = new Set<(e: DurableChanges) => void>();

  load() {
    return Promise.resolve({ bytes: A.save(this.doc), heads: A.getHeads(this.doc) });
  }

  async applyChanges(ref: DocRef, changes: readonly Uint8Array[]) {
    await Promise.resolve();
    if (this.failNext) {
      this.failNext = false;
      throw new Error("the owner went away");
    }
    [this.doc] = A.applyChanges(this.doc, [...changes]);
    const heads = A.getHeads(this.doc);
    for (const l of this.listeners) l({ ref, changes, heads });
    return { heads };
  }

  watch(_ref: DocRef, listener: (e: DurableChanges) => void) {
    this.listeners.add(listener);
    return Promise.resolve(() => void this.listeners.delete(listener));
  }
}

const ref: DocRef = { tenantId: "t", documentId: "doc" as DocumentId };
const clock = { now: () => new Date() };
const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const text = (v: Uint8Array | undefined) => (v ? Buffer.from(v).toString() : undefined);

function node(docs: FakeDocs): CrdtKv {
  return new CrdtKv({ docs, clock, durableHeads: () => Promise.resolve(A.getHeads(docs.doc)) });
}

describe(CrdtKv.name, () => {
  it("merges concurrent writes from two nodes; both read the same state and revision", async () => {
    const docs = new FakeDocs();
    const [a, b] = [node(docs), node(docs)];
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        a.write(ref, [{ op: "put", key: `a${i}`, value: bytes("x") }]),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        b.write(ref, [{ op: "put", key: `b${i}`, value: bytes("y") }]),
      ),
      a.write(ref, [{ op: "put", key: "same", value: bytes("from a") }]),
      b.write(ref, [{ op: "put", key: "same", value: bytes("from b") }]),
    ]);
    const state = (kv: CrdtKv) =>
      kv.read(ref, (m) => ({
        keys: [...m.keys()],
        same: text(m.get("same")),
        revision: m.revision,
      }));
    const [sa, sb] = await Promise.all([state(a), state(b)]);
    expect(sa).toEqual(sb);
    expect(sa.keys).toHaveLength(21);
    expect(["from a", "from b"]).toContain(sa.same);
    expect(sa.revision).toBe(A.getAllChanges(docs.doc).length);
  });

  it("throws its copy away after a failed write, so later writes never wait on a lost change", async () => {
    const docs = new FakeDocs();
    const kv = node(docs);
    await kv.write(ref, [{ op: "put", key: "k", value: bytes("1") }]);
    docs.failNext = true;
    await expect(kv.write(ref, [{ op: "put", key: "k", value: bytes("2") }])).rejects.toThrow(
      /went away/,
    );
    const revision = await kv.write(ref, [{ op: "put", key: "k", value: bytes("3") }]);
    expect(revision).toBe(2);
    expect(A.toJS(docs.doc)).toEqual({ k: bytes("3") });
    expect(await kv.read(ref, (m) => text(m.get("k")))).toBe("3");
  });
});

describe(CrdtKvWatch.name, () => {
  it("starts from the current state, follows the prefix, and after a pause delivers the latest state only", async () => {
    const docs = new FakeDocs();
    const kv = node(docs);
    await kv.write(ref, [
      { op: "put", key: "a/1", value: bytes("old") },
      { op: "put", key: "b/1", value: bytes("other") },
    ]);
    const mirror = await kv.read(ref, (m) => m);
    const got: KvEvent[][] = [];
    let room = true;
    const paused: number[] = [];
    const watch = new CrdtKvWatch(mirror, "a/", 1, {
      deliver: (events) => (got.push([...events]), room),
      paused: (next) => paused.push(next),
      failed: (err) => {
        throw err;
      },
    });
    await watch.start();
    expect(got.flat().map((e) => [e.revision, e.key, e.op, text(e.value ?? undefined)])).toEqual([
      [1, "a/1", "put", "old"],
    ]);
    room = false;
    await kv.write(ref, [{ op: "put", key: "a/2", value: bytes("x") }]);
    expect(paused).toEqual([3]);
    await kv.write(ref, [{ op: "put", key: "a/2", value: bytes("y") }]);
    await kv.write(ref, [{ op: "delete", key: "a/1" }]);
    expect(got).toHaveLength(2);
    room = true;
    watch.resume();
    expect(got[2]!.map((e) => [e.revision, e.key, e.op, text(e.value ?? undefined)])).toEqual([
      [4, "a/1", "delete", undefined],
      [4, "a/2", "put", "y"],
    ]);
    expect(watch.position).toBe(5);
    watch.close();
  });
});
