import { type StreamId } from "@strata/core";
import type pg from "pg";

/** Values above this are stored as chunk rows (`value_ref = chunks:<n>`), not inline. */
export const LARGE_VALUE_BYTES = 256 * 1024;
const CHUNK_BYTES = 256 * 1024;

export function splitValue(value: Uint8Array): Buffer[] {
  const buf = Buffer.isBuffer(value)
    ? value
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.byteLength; i += CHUNK_BYTES)
    parts.push(buf.subarray(i, i + CHUNK_BYTES));
  return parts;
}

/** A chunked value's pieces are not all there (moved to the object store or deleted meanwhile). */
export class IncompleteValue extends Error {
  override name = "IncompleteValue";
}

export function joinChunks(parts: Buffer[], size: number): Buffer {
  const value = Buffer.concat(parts);
  if (value.byteLength !== size) {
    throw new IncompleteValue(`stored value is incomplete: ${value.byteLength} of ${size} bytes`);
  }
  return value;
}

export async function chunkRows(
  client: pg.PoolClient,
  streamId: StreamId,
  seq: number,
  parts: Buffer[],
): Promise<void> {
  // One row per statement keeps each parameter message small however large the value.
  for (let i = 0; i < parts.length; i++) {
    await client.query(
      "insert into stream_chunks (stream_id, seq, chunk, data) values ($1, $2, $3, $4)",
      [streamId, seq, i, parts[i]],
    );
  }
}
