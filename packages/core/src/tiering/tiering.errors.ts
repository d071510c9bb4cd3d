import { StrataError } from "../errors.js";

/**
 * Cold data that the manifest says exists could not be read back (object
 * missing, or its checksum or framing is wrong). Never answered as "no
 * data": the client gets a 5xx and an operator alert is raised.
 */
export class SegmentUnreadable extends StrataError {
  readonly code = "segment_unreadable";
  readonly status = 500;
  constructor(
    readonly objectKey: string,
    readonly reason: string,
  ) {
    super(`Stored messages could not be read back from the object store (${reason}).`);
    this.details.object_key = objectKey;
  }
}

/**
 * A document's latest snapshot is in the object store, but its object is
 * missing or does not match the hash its key records. The load fails (5xx
 * and a `tier_corrupt` alert) rather than serving an empty or older document.
 */
export class DocSnapshotUnreadable extends StrataError {
  readonly code = "doc_snapshot_unreadable";
  readonly status = 500;
  constructor(
    readonly documentId: string,
    readonly objectKey: string,
    readonly reason: string,
  ) {
    super(`The document's snapshot could not be read back from the object store (${reason}).`);
    this.details.document_id = documentId;
    this.details.object_key = objectKey;
  }
}
