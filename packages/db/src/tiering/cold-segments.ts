import {
  decodeSegment,
  type DecodedSegment,
  type ExternalValue,
  ObjectNotFound,
  type ObjectStore,
  SegmentCache,
  SegmentFormatError,
  SegmentUnreadable,
  sha256Hex,
  type StreamId,
} from "@strata/core";
import type pg from "pg";

/** A manifest row's pointer to its object. */
export interface SegmentPointer {
  readonly objectKey: string;
  /** SHA-256 of the whole object, hex, as recorded when it was sealed. */
  readonly checksum: string;
}

export interface UnreadableReport {
  readonly streamId: StreamId;
  readonly objectKey: string;
  readonly reason: string;
}

/**
 * The segment was dropped (retention, delete) between finding it in the
 * manifest and fetching it: the read starts over and no longer sees it.
 */
export class SegmentGone extends Error {
  override name = "SegmentGone";
}

/**
 * Reads the cold tier: fetches segment objects, checks them against the
 * checksum the manifest recorded, decodes them, and keeps them in a bounded
 * LRU. A missing or corrupt object whose manifest row still exists is an
 * error (`SegmentUnreadable`, reported through `onUnreadable` for an alert),
 * never "no data".
 */
export class ColdSegments {
  readonly cache: SegmentCache;

  constructor(
    readonly store: ObjectStore,
    private readonly pool: pg.Pool,
    options: { cacheBytes: number; onUnreadable?: (r: UnreadableReport) => void },
  ) {
    this.cache = new SegmentCache(options.cacheBytes);
    this.onUnreadable = options.onUnreadable ?? (() => {});
  }

  private readonly onUnreadable: (r: UnreadableReport) => void;

  segment(streamId: StreamId, p: SegmentPointer): Promise<DecodedSegment> {
    return this.cache.get(p.objectKey, async () => {
      const bytes = await this.fetch(streamId, p.objectKey);
      if (sha256Hex(bytes) !== p.checksum)
        return this.fail(streamId, p.objectKey, "checksum mismatch");
      try {
        return decodeSegment(bytes);
      } catch (err) {
        if (err instanceof SegmentFormatError) return this.fail(streamId, p.objectKey, err.message);
        throw err;
      }
    });
  }

  /** A large value kept in its own object, checked against the size and hash its frame recorded. */
  async value(streamId: StreamId, ext: ExternalValue): Promise<Buffer> {
    const bytes = await this.fetch(streamId, ext.key);
    if (bytes.byteLength !== ext.size || sha256Hex(bytes) !== ext.sha256)
      return this.fail(streamId, ext.key, "checksum mismatch");
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private async fetch(streamId: StreamId, key: string): Promise<Uint8Array> {
    try {
      return await this.store.get(key);
    } catch (err) {
      if (!(err instanceof ObjectNotFound)) {
        throw new SegmentUnreadable(key, `object store error: ${(err as Error).message}`);
      }
      if (!(await this.stillReferenced(key))) throw new SegmentGone(key);
      return this.fail(streamId, key, "object missing");
    }
  }

  private async stillReferenced(key: string): Promise<boolean> {
    const dir = key.slice(0, key.lastIndexOf("/") + 1);
    const { rowCount } = await this.pool.query(
      "select 1 from stream_segments where object_key = $1",
      [`${dir}segment`],
    );
    return (rowCount ?? 0) > 0;
  }

  private fail(streamId: StreamId, objectKey: string, reason: string): never {
    this.onUnreadable({ streamId, objectKey, reason });
    throw new SegmentUnreadable(objectKey, reason);
  }
}
