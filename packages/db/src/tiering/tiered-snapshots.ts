import {
  type DocumentId,
  DocSnapshotUnreadable,
  type ObjectStore,
  SegmentUnreadable,
  type TenantId,
} from "@strata/core";
import { snapshotBytes } from "./doc-snapshot-tier.pg.js";

/** A tiered snapshot that could not be read back, for the operator alert. */
export interface UnreadableSnapshot {
  readonly tenantId: TenantId;
  readonly documentId: DocumentId;
  readonly objectKey: string;
  readonly reason: string;
}

/**
 * Where document loads (owner, REST reads, compaction) fetch a snapshot the
 * `tiering` job moved to the object store. A missing or corrupt object is
 * reported through `onUnreadable` (a `tier_corrupt` alert) and thrown as
 * `DocSnapshotUnreadable`: never served as an empty document.
 */
export class TieredSnapshots {
  constructor(
    readonly store: ObjectStore,
    private readonly onUnreadable: (r: UnreadableSnapshot) => void | Promise<void> = () => {},
  ) {}

  /**
   * The object's bytes, verified against the hash in its key. Throws
   * `SegmentUnreadable` for a missing or corrupt object (the caller decides
   * whether the row still points at it), `DocSnapshotUnreadable` when the
   * store itself fails.
   */
  async fetch(doc: { documentId: string }, objectKey: string): Promise<Buffer> {
    try {
      return await snapshotBytes(this.store, { bytes: null, object_key: objectKey });
    } catch (err) {
      if (err instanceof SegmentUnreadable) throw err;
      // An outage of the store is not corruption: no alert, but no empty document either.
      throw new DocSnapshotUnreadable(
        doc.documentId,
        objectKey,
        `object store error: ${(err as Error).message}`,
      );
    }
  }

  /**
   * Reports the object (awaited, so the alert exists before the caller sees
   * the error; a failing report does not hide the error) and answers the
   * error to throw.
   */
  async unreadable(r: UnreadableSnapshot): Promise<DocSnapshotUnreadable> {
    try {
      await this.onUnreadable(r);
    } catch {
      // The load error below is what matters to the caller.
    }
    return new DocSnapshotUnreadable(r.documentId, r.objectKey, r.reason);
  }
}
