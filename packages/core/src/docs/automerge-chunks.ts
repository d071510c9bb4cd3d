import { InvalidChange } from "./docs.errors.js";

/**
 * Automerge's storage format is a sequence of chunks: magic (4 bytes),
 * checksum (4), type (1), body length (unsigned LEB128), body. A saved
 * document is one `document` chunk; `getChanges` output concatenated is a
 * run of `change` chunks. Splitting on the headers lets REST take a plain
 * concatenation of changes (what `GET …/changes` answers) without framing.
 */
const MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const;
const HEADER = 9;

export const CHUNK_TYPE = { document: 0, change: 1, compressedChange: 2 } as const;
export type ChunkType = (typeof CHUNK_TYPE)[keyof typeof CHUNK_TYPE];

export interface Chunk {
  readonly type: ChunkType;
  readonly bytes: Uint8Array;
}

/** Splits `data` into chunks; InvalidChange when it is not a sequence of Automerge chunks. */
export function splitChunks(data: Uint8Array): Chunk[] {
  const chunks: Chunk[] = [];
  let at = 0;
  while (at < data.byteLength) {
    const start = at;
    const fail = (reason: string) =>
      new InvalidChange(null, `${reason} at byte ${start} (chunk ${chunks.length})`);
    if (data.byteLength - at < HEADER + 1) throw fail("truncated chunk header");
    for (let i = 0; i < MAGIC.length; i++) {
      if (data[at + i] !== MAGIC[i]) throw fail("no Automerge magic bytes");
    }
    const type = data[at + 8]!;
    if (type !== 0 && type !== 1 && type !== 2) throw fail(`unknown chunk type ${type}`);
    at += HEADER;
    let length = 0;
    let shift = 0;
    for (;;) {
      if (at >= data.byteLength || shift > 49) throw fail("bad chunk length");
      const b = data[at++]!;
      length += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    if (at + length > data.byteLength) throw fail("truncated chunk");
    at += length;
    chunks.push({ type: type as ChunkType, bytes: data.subarray(start, at) });
  }
  return chunks;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
