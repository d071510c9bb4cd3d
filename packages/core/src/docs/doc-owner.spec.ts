import * as A from "@automerge/automerge";
import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/bus.js";
import { type TenantId } from "../tenants/tenant.js";
import { DocOwner } from "./doc-owner.js";
import {
  type DocCommit,
  type DocContent,
  type DocInfo,
  type DocLog,
  type DocRowId,
  docTopic,
  type StoredChange,
} from "./doc-store.js";
import { type DocRef, type DurableChanges } from "./documents.js";
import { newDocumentId } from "./document-id.js";

/** Documents in memory, with commits recorded and failures on demand. */
class MemoryDocLog implements DocLog {
  readonly rows = new Map<string, { info: DocInfo; changes: StoredChange[] }>();
  readonly commits: DocCommit[] = [];
  failNext: Error | null = null;
  loads = 0;
  private nextId = 1;

  async load(ref: DocRef): Promise<DocContent | null> {
    this.loads++;
    await new Promise((r) => setTimeout(r, 1));
    const row = this.rows.get(ref.documentId);
    return row ? { info: row.info, snapshot: null, changes: [...row.changes] } : null;
  }

  async commit(c: DocCommit): Promise<DocInfo> {
    await new Promise((r) => setTimeout(r, 1));
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = null;
      throw err;
    }
    this.commits.push(c);
    let row = this.rows.get(c.ref.documentId);
    if (!row) {
      const now = new Date();
      const info: DocInfo = {
        id: this.nextId++ as DocRowId,
        tenantId: c.ref.tenantId as TenantId,
        documentId: c.ref.documentId,
        heads: [],
        changes: 0,
        changeBytes: 0,
        bytes: 0,
        createdAt: now,
        updatedAt: now,
      };
      this.rows.set(c.ref.documentId, (row = { info, changes: [] }));
    }
    const fresh = c.changes.filter((ch) => !row.changes.some((s) => s.hash === ch.hash));
    row.changes.push(...fresh);
    const added = fresh.reduce((n, ch) => n + ch.bytes.byteLength, 0);
    row.info = {
      ...row.info,
      heads: c.heads,
      changes: row.changes.length,
      changeBytes: row.info.changeBytes + added,
      bytes: row.info.bytes + added,
    };
    return row.info;
  }
}

function setup(options: { maxDocBytes?: number; log?: MemoryDocLog } = {}) {
  const log = options.log ?? new MemoryDocLog();
  const bus = new InProcessBus();
  const owner = new DocOwner(
    log,
    bus,
    { claim: async () => 1 },
    { now: () => new Date() },
    {
      node: { id: "n1" },
      maxDocBytes: options.maxDocBytes ?? 1_000_000,
      cacheBytes: 1_000_000,
      compactChanges: 1000,
      compactBytes: 1_000_000,
    },
  );
  const ref: DocRef = { tenantId: "t1", documentId: newDocumentId() };
  return { log, bus, owner, ref };
}

/** `n` independent edits of `base`, each by its own actor. */
function edits(base: A.Doc<Record<string, unknown>>, n: number) {
  return Array.from({ length: n }, (_, i) =>
    A.getChanges(
      base,
      A.change(A.clone(base), (d) => (d[`k${i}`] = i)),
    ),
  );
}

describe(DocOwner.name, () => {
  it("group-commits concurrent calls for one document; every call gets heads that include its change", async () => {
    const { log, owner, ref } = setup();
    const base = A.from<Record<string, unknown>>({ a: 1 });
    await owner.applyChanges(ref, A.getAllChanges(base), { create: true });
    const batches = edits(base, 20);
    const results = await Promise.all(
      batches.map((changes) => owner.applyChanges(ref, changes, { create: false })),
    );
    expect(log.commits.length).toBeLessThan(1 + batches.length);
    const final = results[results.length - 1]!.heads;
    expect(final).toHaveLength(20);
    for (const [i, r] of results.entries()) {
      const hash = A.decodeChange(batches[i]![0]!).hash!;
      const doc = A.loadIncremental(
        A.init(),
        Buffer.concat(log.rows.get(ref.documentId)!.changes.map((c) => c.bytes)),
      );
      expect(A.hasHeads(doc, [hash])).toBe(true);
      expect(A.hasHeads(doc, [...r.heads])).toBe(true);
    }
    expect(log.rows.get(ref.documentId)!.info.heads).toEqual(final);
  });

  it("loads a cold document once for concurrent first calls, and keeps it loaded", async () => {
    const first = setup();
    const base = A.from<Record<string, unknown>>({ a: 1 });
    await first.owner.applyChanges(first.ref, A.getAllChanges(base), { create: true });
    // A restarted node: same storage, nothing in memory.
    const { owner: cold } = setup({ log: first.log });
    const loadsBefore = first.log.loads;
    await Promise.all(
      edits(base, 5).map((changes) => cold.applyChanges(first.ref, changes, { create: false })),
    );
    expect(first.log.loads - loadsBefore).toBe(1);
    expect(cold.stats.loaded).toBe(1);
    await cold.applyChanges(first.ref, edits(base, 1)[0]!, { create: false });
    expect(first.log.loads - loadsBefore).toBe(1);
  });

  it("publishes changes only after they are committed, and skips changes it has", async () => {
    const { log, bus, owner, ref } = setup();
    const seen: DurableChanges[] = [];
    await bus.subscribe(docTopic(ref), (e) => seen.push(e as DurableChanges));
    const base = A.from<Record<string, unknown>>({ a: 1 });
    const all = A.getAllChanges(base);
    const first = await owner.applyChanges(ref, all, { create: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.heads).toEqual(first.heads);
    const again = await owner.applyChanges(ref, all, { create: false });
    expect(again.heads).toEqual(first.heads);
    expect(seen).toHaveLength(1);
    expect(log.commits).toHaveLength(1);
  });

  it("a failed commit fails its call and leaves memory as the database has it", async () => {
    const { log, owner, ref } = setup();
    const base = A.from<Record<string, unknown>>({ a: 1 });
    await owner.applyChanges(ref, A.getAllChanges(base), { create: true });
    const [lost, kept] = edits(base, 2) as [Uint8Array[], Uint8Array[]];
    log.failNext = new Error("connection reset");
    await expect(owner.applyChanges(ref, lost, { create: false })).rejects.toMatchObject({
      code: "commit_failed",
      retryable: true,
    });
    const after = await owner.applyChanges(ref, kept, { create: false });
    const stored = log.rows.get(ref.documentId)!.changes.map((c) => c.hash);
    expect(stored).not.toContain(A.decodeChange(lost[0]!).hash);
    expect(after.heads).toEqual([A.decodeChange(kept[0]!).hash]);
    // Retrying the failed call stores it now.
    const retried = await owner.applyChanges(ref, lost, { create: false });
    expect(retried.heads).toHaveLength(2);
  });

  it("refuses only the call that would pass the size limit", async () => {
    const { owner, ref, log } = setup({ maxDocBytes: 2000 });
    const base = A.from<Record<string, unknown>>({ a: 1 });
    await owner.applyChanges(ref, A.getAllChanges(base), { create: true });
    const random = () =>
      Array.from({ length: 4000 }, () =>
        String.fromCharCode(97 + Math.floor(Math.random() * 26)),
      ).join("");
    const big = A.getChanges(
      base,
      A.change(A.clone(base), (d) => (d.big = random())),
    );
    const [small] = edits(base, 1) as [Uint8Array[]];
    const [tooBig, ok] = await Promise.allSettled([
      owner.applyChanges(ref, big, { create: false }),
      owner.applyChanges(ref, small, { create: false }),
    ]);
    expect(tooBig).toMatchObject({ status: "rejected", reason: { code: "document_too_large" } });
    expect(ok.status).toBe("fulfilled");
    expect(log.rows.get(ref.documentId)!.changes).toHaveLength(A.getAllChanges(base).length + 1);
  });

  it("answers NotFound without create, and 400 for bytes that do not decode", async () => {
    const { owner, ref, log } = setup();
    await expect(owner.applyChanges(ref, [], { create: false })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(
      owner.applyChanges(ref, [new Uint8Array([1, 2, 3])], { create: true }),
    ).rejects.toMatchObject({ code: "invalid_change", status: 400 });
    expect(log.commits).toHaveLength(0);
  });
});
