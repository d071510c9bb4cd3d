/**
 * Encodes the load generator's `append` frame ({type, id, stream, value}) as
 * msgpack by hand: a frame msgpackr decodes to the same value (append-frame.spec.ts),
 * at a fraction of its cost. The client shares the 2 cores with the server it
 * measures, so every microsecond it spends per message is one the server lacks.
 */
const TYPE_APPEND = Buffer.from([
  0x84,
  0xa4,
  ...Buffer.from("type"),
  0xa6,
  ...Buffer.from("append"),
]);
const ID_KEY = Buffer.from([0xa2, ...Buffer.from("id")]);
const STREAM_KEY = Buffer.from([0xa6, ...Buffer.from("stream")]);
const VALUE_KEY = Buffer.from([0xa5, ...Buffer.from("value")]);

export function encodeAppendFrame(id: number, stream: string, value: Uint8Array): Buffer {
  const name = Buffer.from(stream, "utf8");
  if (name.length > 0xff || value.byteLength > 0xffff || !(id >= 0 && id <= 0xffffffff))
    throw new RangeError("encodeAppendFrame handles names < 256 B, values < 64 KiB, ids < 2^32");
  const b = Buffer.allocUnsafe(TYPE_APPEND.length + 24 + name.length + value.byteLength);
  let o = TYPE_APPEND.copy(b, 0);
  o += ID_KEY.copy(b, o);
  o = writeUint(b, o, id);
  o += STREAM_KEY.copy(b, o);
  o =
    name.length < 32
      ? b.writeUInt8(0xa0 | name.length, o)
      : b.writeUInt16BE(0xd900 | name.length, o);
  o += name.copy(b, o);
  o += VALUE_KEY.copy(b, o);
  o =
    value.byteLength <= 0xff
      ? b.writeUInt16BE(0xc400 | value.byteLength, o)
      : b.writeUIntBE(0xc50000 | value.byteLength, o, 3);
  b.set(value, o);
  return b.subarray(0, o + value.byteLength);
}

/** msgpack's smallest form of a non-negative integer. */
function writeUint(b: Buffer, o: number, n: number): number {
  if (n < 0x80) return b.writeUInt8(n, o);
  const [tag, bytes] = n <= 0xff ? [0xcc, 1] : n <= 0xffff ? [0xcd, 2] : [0xce, 4];
  b[o] = tag;
  return b.writeUIntBE(n, o + 1, bytes);
}
