import { createHash } from "node:crypto";
import { brotliCompressSync, brotliDecompressSync, constants as zlib } from "node:zlib";
import { type Headers } from "../streams/stream.js";

/**
 * The segment object format, version 1 (documented in docs/segments.md):
 *
 *   header  32 bytes   "STRATSEG" · version u16 · codec u8 (1 = brotli) · 0 u8 ·
 *                      count u32 · first seq u64 · last seq u64   (big-endian)
 *   body    n bytes    the codec's compression of `count` frames, in seq order
 *   trailer 32 bytes   SHA-256 of header + body
 *
 *   frame   seq u64 · ts i64 (ms) · flags u8 (1 headers, 2 msg id, 4 external value) ·
 *           [headers: u32 length · JSON] · [msg id: u16 length · UTF-8] ·
 *           inline value: u32 length · bytes
 *           external value: u64 size · u16 key length · key · 32-byte SHA-256 of the value
 */
export const SEGMENT_MAGIC = "STRATSEG";
export const SEGMENT_FORMAT_VERSION = 1;
const HEADER_BYTES = 32;
const TRAILER_BYTES = 32;
const CODEC_BROTLI = 1;
const F_HEADERS = 1;
const F_MSG_ID = 2;
const F_EXTERNAL = 4;

/** A value kept in its own object (too large to sit in a cached segment). */
export interface ExternalValue {
  readonly key: string;
  readonly size: number;
  /** SHA-256 of the value, hex. */
  readonly sha256: string;
}

/** One message as a segment holds it: the value inline, or a reference to its own object. */
export interface SegmentEntry {
  readonly seq: number;
  readonly ts: Date;
  readonly headers: Headers | null;
  readonly msgId: string | null;
  readonly value: Uint8Array | null;
  readonly external: ExternalValue | null;
}

export interface DecodedSegment {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly entries: readonly SegmentEntry[];
  /** Roughly what the decoded segment holds in memory (for the cache's budget). */
  readonly memoryBytes: number;
}

/** Why a segment could not be decoded; the caller maps it to ObjectCorrupt with the key. */
export class SegmentFormatError extends Error {
  override name = "SegmentFormatError";
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function encodeSegment(entries: readonly SegmentEntry[]): Buffer {
  if (entries.length === 0) throw new Error("a segment holds at least one message");
  const parts: Buffer[] = [];
  for (const e of entries) parts.push(encodeFrame(e));
  const body = brotliCompressSync(Buffer.concat(parts), {
    params: { [zlib.BROTLI_PARAM_QUALITY]: 5 },
  });
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(SEGMENT_MAGIC, 0, "ascii");
  header.writeUInt16BE(SEGMENT_FORMAT_VERSION, 8);
  header.writeUInt8(CODEC_BROTLI, 10);
  header.writeUInt32BE(entries.length, 12);
  header.writeBigUInt64BE(BigInt(entries[0]!.seq), 16);
  header.writeBigUInt64BE(BigInt(entries[entries.length - 1]!.seq), 24);
  const hash = createHash("sha256").update(header).update(body).digest();
  return Buffer.concat([header, body, hash]);
}

export function decodeSegment(object: Uint8Array): DecodedSegment {
  const buf = Buffer.from(object.buffer, object.byteOffset, object.byteLength);
  if (buf.byteLength < HEADER_BYTES + TRAILER_BYTES) throw new SegmentFormatError("too short");
  if (buf.toString("ascii", 0, 8) !== SEGMENT_MAGIC) throw new SegmentFormatError("bad magic");
  const version = buf.readUInt16BE(8);
  if (version !== SEGMENT_FORMAT_VERSION)
    throw new SegmentFormatError(`unknown format version ${version}`);
  if (buf.readUInt8(10) !== CODEC_BROTLI) throw new SegmentFormatError("unknown codec");
  const end = buf.byteLength - TRAILER_BYTES;
  const hash = createHash("sha256").update(buf.subarray(0, end)).digest();
  if (!hash.equals(buf.subarray(end))) throw new SegmentFormatError("checksum mismatch");
  const count = buf.readUInt32BE(12);
  const firstSeq = Number(buf.readBigUInt64BE(16));
  const lastSeq = Number(buf.readBigUInt64BE(24));
  let body: Buffer;
  try {
    body = brotliDecompressSync(buf.subarray(HEADER_BYTES, end));
  } catch (err) {
    throw new SegmentFormatError(`cannot decompress: ${(err as Error).message}`);
  }
  const entries: SegmentEntry[] = [];
  const r = new Reader(body);
  for (let i = 0; i < count; i++) entries.push(r.frame());
  if (!r.done) throw new SegmentFormatError("trailing bytes after the last frame");
  if (entries[0]?.seq !== firstSeq || entries[entries.length - 1]?.seq !== lastSeq)
    throw new SegmentFormatError("frames do not match the header's seq range");
  return { firstSeq, lastSeq, entries, memoryBytes: body.byteLength + count * 96 };
}

function encodeFrame(e: SegmentEntry): Buffer {
  const headers = e.headers ? Buffer.from(JSON.stringify(e.headers), "utf8") : null;
  const msgId = e.msgId !== null ? Buffer.from(e.msgId, "utf8") : null;
  const key = e.external ? Buffer.from(e.external.key, "utf8") : null;
  const flags = (headers ? F_HEADERS : 0) | (msgId ? F_MSG_ID : 0) | (e.external ? F_EXTERNAL : 0);
  const size =
    17 +
    (headers ? 4 + headers.byteLength : 0) +
    (msgId ? 2 + msgId.byteLength : 0) +
    (e.external ? 8 + 2 + key!.byteLength + 32 : 4 + (e.value?.byteLength ?? 0));
  const out = Buffer.alloc(size);
  let o = out.writeBigUInt64BE(BigInt(e.seq), 0);
  o = out.writeBigInt64BE(BigInt(e.ts.getTime()), o);
  o = out.writeUInt8(flags, o);
  if (headers) {
    o = out.writeUInt32BE(headers.byteLength, o);
    o += headers.copy(out, o);
  }
  if (msgId) {
    o = out.writeUInt16BE(msgId.byteLength, o);
    o += msgId.copy(out, o);
  }
  if (e.external) {
    o = out.writeBigUInt64BE(BigInt(e.external.size), o);
    o = out.writeUInt16BE(key!.byteLength, o);
    o += key!.copy(out, o);
    Buffer.from(e.external.sha256, "hex").copy(out, o);
  } else {
    const v = e.value ?? new Uint8Array(0);
    o = out.writeUInt32BE(v.byteLength, o);
    out.set(v, o);
  }
  return out;
}

class Reader {
  private o = 0;
  constructor(private readonly b: Buffer) {}

  get done(): boolean {
    return this.o === this.b.byteLength;
  }

  frame(): SegmentEntry {
    const seq = Number(this.need(8).readBigUInt64BE(this.o - 8));
    const ts = new Date(Number(this.need(8).readBigInt64BE(this.o - 8)));
    const flags = this.need(1).readUInt8(this.o - 1);
    let headers: Headers | null = null;
    let msgId: string | null = null;
    if (flags & F_HEADERS) headers = JSON.parse(this.bytes(this.u32()).toString("utf8")) as Headers;
    if (flags & F_MSG_ID) msgId = this.bytes(this.u16()).toString("utf8");
    if (flags & F_EXTERNAL) {
      const size = Number(this.need(8).readBigUInt64BE(this.o - 8));
      const key = this.bytes(this.u16()).toString("utf8");
      const sha256 = this.bytes(32).toString("hex");
      return { seq, ts, headers, msgId, value: null, external: { key, size, sha256 } };
    }
    // A view into the decompressed body, which the cache accounts for as a whole.
    const value = this.bytes(this.u32());
    return { seq, ts, headers, msgId, value, external: null };
  }

  private u32(): number {
    return this.need(4).readUInt32BE(this.o - 4);
  }

  private u16(): number {
    return this.need(2).readUInt16BE(this.o - 2);
  }

  private bytes(n: number): Buffer {
    this.need(n);
    return this.b.subarray(this.o - n, this.o);
  }

  private need(n: number): Buffer {
    if (this.o + n > this.b.byteLength) throw new SegmentFormatError("truncated frame");
    this.o += n;
    return this.b;
  }
}
