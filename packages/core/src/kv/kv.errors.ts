import { Conflict, NotFound, PayloadTooLarge, StrataError } from "../errors.js";

export class BucketNotFound extends NotFound {
  constructor(name: string) {
    super("bucket", name);
  }
}

export class KeyNotFound extends NotFound {
  constructor(bucket: string, key: string, revision?: number) {
    super("key", revision === undefined ? `${bucket}/${key}` : `${bucket}/${key}@${revision}`);
  }
}

/** One failed condition of a transaction (or of `If-Match`/`If-None-Match`). */
export interface FailedCompare {
  readonly index: number;
  readonly key: string;
  /** The key's revision now; null when it does not exist. */
  readonly currentRevision: number | null;
}

/**
 * A condition on the current state did not hold (HTTP 412). `current_revision`
 * lets a compare-and-swap client retry without reading the key again.
 */
export class PreconditionFailed extends StrataError {
  readonly code = "precondition_failed";
  readonly status = 412;
  constructor(
    readonly failed: readonly FailedCompare[],
    /** A transaction also lists every failed compare (`failed: [{index, key, current_revision}]`). */
    txn = false,
  ) {
    super(describe(failed));
    this.details.current_revision = failed[0]?.currentRevision ?? null;
    if (txn) {
      this.details.failed = failed.map((f) => ({
        index: f.index,
        key: f.key,
        current_revision: f.currentRevision,
      }));
    }
  }
}

function describe(failed: readonly FailedCompare[]): string {
  const first = failed[0];
  if (!first) return "A precondition failed.";
  const now =
    first.currentRevision === null ? "does not exist" : `is at revision ${first.currentRevision}`;
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : "";
  return `The precondition on key '${first.key}' failed: it ${now}${more}.`;
}

/**
 * A watch or history read asked for revisions the bucket no longer holds
 * (pruned beyond `history`). Start again from `oldest_revision`.
 */
export class Compacted extends StrataError {
  readonly code = "compacted";
  readonly status = 410;
  constructor(
    readonly requested: number,
    readonly compactedRevision: number,
  ) {
    super(
      `Revision ${requested} has been compacted; the oldest revision available is ${compactedRevision + 1}.`,
    );
    this.details.requested_revision = requested;
    this.details.compacted_revision = compactedRevision;
    this.details.oldest_revision = compactedRevision + 1;
  }
}

/** The write would take the bucket past `max_bytes`. */
export class BucketFull extends Conflict {
  override readonly code = "bucket_full";
  constructor(maxBytes: number) {
    super(`The bucket is full (max_bytes = ${maxBytes}).`);
    this.details.limit = "max_bytes";
    this.details.value = maxBytes;
  }
}

export class ValueTooLarge extends PayloadTooLarge {
  constructor(limit: number) {
    super(limit, "The value");
  }
}
