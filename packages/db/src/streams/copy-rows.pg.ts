import { type PendingRow } from "@strata/core";

export const COPY_MESSAGES_SQL =
  "copy stream_messages (stream_id, seq, ts, headers, value, value_ref, value_size, msg_id) from stdin with (format binary)";

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
/** 2000-01-01T00:00:00Z, PostgreSQL's epoch, in ms since 1970. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 4294967296;
const FIELDS = 8;

/** A stream_messages row as COPY writes it; `value` is null when the value is stored as chunks. */
export interface MessageCopyRow extends PendingRow {
  /** Where the value lives when `value` is not inline (`chunks:<n>`). */
  readonly valueRef?: string | null;
  /** Write `value` as NULL (it goes to chunk rows; `valueRef` says so). */
  readonly valueOutOfLine?: boolean;
}

/** Bytes of the protocol framing `encodeMessageRows(rows, true)` adds: CopyData header, CopyDone. */
const FRAME_HEAD = 5;
const FRAME_TAIL = 5;

/**
 * Encodes stream_messages rows in PostgreSQL's binary COPY format (header,
 * one tuple per row, trailer) straight into one buffer: no parameter per
 * field, no text conversion of numbers or timestamps. `jsonb` goes as its
 * binary form, a version byte and the JSON text. `framed` wraps it as the
 * protocol messages themselves (one CopyData, then CopyDone), so the whole
 * payload goes to the socket as one write without another copy.
 */
export function encodeMessageRows(rows: readonly MessageCopyRow[], framed = false): Buffer {
  const head = framed ? FRAME_HEAD : 0;
  let size = head + SIGNATURE.length + 8 + 2 + (framed ? FRAME_TAIL : 0);
  const headers: (string | null)[] = new Array<string | null>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const h = r.headers ? JSON.stringify(r.headers) : null;
    headers[i] = h;
    // Strings: at most 3 UTF-8 bytes per UTF-16 unit; the buffer is trimmed to what was written.
    size += 2 + 4 * FIELDS + 8 + 8 + 8 + 4;
    if (h !== null) size += 1 + h.length * 3;
    if (!r.valueOutOfLine) size += r.value.byteLength;
    if (r.valueRef) size += r.valueRef.length * 3;
    if (r.msgId) size += r.msgId.length * 3;
  }
  const b = Buffer.allocUnsafe(size);
  let o = head + SIGNATURE.copy(b, head);
  o = b.writeInt32BE(0, o); // flags
  o = b.writeInt32BE(0, o); // header extension length
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    o = b.writeInt16BE(FIELDS, o);
    o = int64(b, o, r.streamId);
    o = int64(b, o, r.seq);
    o = int64(b, o, (r.ts.getTime() - PG_EPOCH_MS) * 1000);
    const h = headers[i]!;
    if (h === null) o = b.writeInt32BE(-1, o);
    else {
      const n = b.write(h, o + 5, "utf8");
      b.writeInt32BE(n + 1, o);
      b[o + 4] = 1; // jsonb binary format version
      o += 5 + n;
    }
    if (r.valueOutOfLine) o = b.writeInt32BE(-1, o);
    else {
      const v = r.value;
      o = b.writeInt32BE(v.byteLength, o);
      b.set(v, o);
      o += v.byteLength;
    }
    o = text(b, o, r.valueRef ?? null);
    o = b.writeInt32BE(4, o);
    o = b.writeInt32BE(r.value.byteLength, o);
    o = text(b, o, r.msgId);
  }
  o = b.writeInt16BE(-1, o);
  if (!framed) return b.subarray(0, o);
  b[0] = 0x64; // 'd' CopyData: length counts itself, not the type byte
  b.writeInt32BE(o - 1, 1);
  b[o] = 0x63; // 'c' CopyDone
  b.writeInt32BE(4, o + 1);
  return b.subarray(0, o + FRAME_TAIL);
}

/** A non-negative integer below 2^53 (ids, seqs, microseconds) as int8. */
function int64(b: Buffer, o: number, x: number): number {
  b.writeInt32BE(8, o);
  const hi = Math.floor(x / TWO_32);
  b.writeInt32BE(hi, o + 4);
  b.writeUInt32BE(x - hi * TWO_32, o + 8);
  return o + 12;
}

function text(b: Buffer, o: number, s: string | null): number {
  if (s === null) return b.writeInt32BE(-1, o);
  const n = b.write(s, o + 4, "utf8");
  b.writeInt32BE(n, o);
  return o + 4 + n;
}
