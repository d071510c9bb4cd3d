import * as Automerge from "@automerge/automerge";
import { materialize } from "./doc-content.js";
import { type DocContent, type DocRowId } from "./doc-store.js";
import { type Heads } from "./documents.js";

/** Storage for compaction. Every step is its own transaction, so a crash between steps is safe. */
export interface DocCompactionStore {
  /** Latest snapshot + change rows, read in one consistent snapshot; null when the document is gone. */
  loadById(docId: DocRowId): Promise<DocContent | null>;
  /**
   * Inserts the new snapshot if `baseSnapshotId` is still the document's
   * latest (locking the document row); returns its id, or null when another
   * compaction got there first (or the document is gone).
   */
  insertSnapshot(
    docId: DocRowId,
    baseSnapshotId: number | null,
    snapshot: { heads: Heads; bytes: Uint8Array },
  ): Promise<number | null>;
  /** Deletes exactly the change rows with these hashes; recounts the document. Returns rows deleted. */
  deleteChanges(docId: DocRowId, hashes: readonly string[]): Promise<number>;
  /** Deletes the snapshots older than `snapshotId`; recounts the document. */
  deleteSnapshotsBefore(docId: DocRowId, snapshotId: number): Promise<number>;
  /** Documents with change rows and no write for `idleMs`, oldest first. */
  idleWithChanges(idleMs: number, limit: number): Promise<DocRowId[]>;
}

export type CompactionStep = "content-loaded" | "snapshot-inserted" | "changes-deleted";

export interface CompactionResult {
  readonly docId: DocRowId;
  /** "raced": another compaction moved the snapshot first; nothing was done. */
  readonly outcome: "compacted" | "nothing-to-do" | "gone" | "raced";
  readonly foldedChanges: number;
  readonly snapshotBytes: number;
}

/**
 * Folds a document's change rows into a new snapshot, then deletes exactly
 * the folded rows (by hash), then the older snapshots.
 *
 * Why this is safe without running on the owner: it never changes what the
 * document contains, only how it is stored. (1) The snapshot is
 * `Automerge.save` of previous snapshot + the rows read, and is committed
 * before any row goes; loading = latest snapshot + all remaining rows, and
 * Automerge ignores rows already in the snapshot, so a crash after (1) or
 * (2) leaves a loadable, complete document, and a re-run folds and deletes
 * what is left. (2) Deletes only the hashes folded in (1): changes the owner
 * commits meanwhile are not among them and stay. Changes still waiting for
 * their deps are not in the saved document, so they are not folded either.
 * (3) The snapshot insert checks, under the document row's lock, that its
 * base is still the latest snapshot: two compactions never publish an older
 * fold over a newer one (whose rows may already be deleted).
 *
 * `failpoint` runs between steps: tests make it throw (a crash) or wait
 * (writes arriving mid-compaction).
 */
export class DocCompactor {
  constructor(
    private readonly store: DocCompactionStore,
    public failpoint: (step: CompactionStep, docId: DocRowId) => void | Promise<void> = () => {},
  ) {}

  async compact(docId: DocRowId): Promise<CompactionResult> {
    const result = (outcome: CompactionResult["outcome"], foldedChanges = 0, snapshotBytes = 0) =>
      ({ docId, outcome, foldedChanges, snapshotBytes }) as const;
    const content = await this.store.loadById(docId);
    if (!content) return result("gone");
    const base = content.snapshot;
    if (content.changes.length === 0) {
      if (base) await this.store.deleteSnapshotsBefore(docId, base.id);
      return result("nothing-to-do");
    }
    await this.failpoint("content-loaded", docId);
    const { doc, waiting } = materialize(content);
    const folded = content.changes.filter((c) => !waiting.has(c.hash)).map((c) => c.hash);
    if (folded.length === 0) return result("nothing-to-do");
    const bytes = Automerge.save(doc);
    const heads = Automerge.getHeads(doc).sort();
    const snapshotId = await this.store.insertSnapshot(docId, base?.id ?? null, { heads, bytes });
    if (snapshotId === null) return result("raced");
    await this.failpoint("snapshot-inserted", docId);
    await this.store.deleteChanges(docId, folded);
    await this.failpoint("changes-deleted", docId);
    await this.store.deleteSnapshotsBefore(docId, snapshotId);
    return result("compacted", folded.length, bytes.byteLength);
  }
}
