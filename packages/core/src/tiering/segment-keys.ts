import { randomBytes } from "node:crypto";
import { type StreamId } from "../streams/stream.js";

/**
 * Object key layout of the cold tier. Each sealing attempt gets a fresh
 * directory (a random suffix), so a retried run never collides with the
 * leftovers of a crashed one, and every object of a segment shares the
 * segment's directory: an object is referenced exactly when its directory's
 * `segment` object is in the manifest.
 *
 *   streams/<stream id>/<first seq, 20 digits>-<random>/segment
 *   streams/<stream id>/<first seq, 20 digits>-<random>/value-<seq>
 */
export const STREAMS_PREFIX = "streams/";

export function streamPrefix(streamId: StreamId): string {
  return `${STREAMS_PREFIX}${streamId}/`;
}

export function newSegmentDir(streamId: StreamId, firstSeq: number): string {
  const seq = String(firstSeq).padStart(20, "0");
  return `${streamPrefix(streamId)}${seq}-${randomBytes(6).toString("hex")}/`;
}

export const segmentKey = (dir: string) => `${dir}segment`;
export const valueKey = (dir: string, seq: number) => `${dir}value-${seq}`;

/** The manifest key (`…/segment`) that makes `key` referenced, or null for keys outside the layout. */
export function owningSegmentKey(key: string): string | null {
  const m = /^(streams\/\d+\/\d{20}-[0-9a-f]+\/)(segment|value-\d+)$/.exec(key);
  return m ? segmentKey(m[1]!) : null;
}

/** The stream id of a key in the layout, or null. */
export function streamIdOfKey(key: string): StreamId | null {
  const m = /^streams\/(\d+)\//.exec(key);
  return m ? (Number(m[1]) as StreamId) : null;
}
