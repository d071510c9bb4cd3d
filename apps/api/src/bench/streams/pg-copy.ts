import type pg from "pg";

/** The parts of node-postgres's Connection that COPY FROM STDIN needs (not in @types/pg). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/**
 * `COPY … FROM STDIN` with the whole payload in hand, as a node-postgres
 * Submittable (what pg-copy-streams does, without streaming): the client
 * calls these handlers as the server's protocol messages arrive.
 */
class CopyFromBuffer implements pg.Submittable {
  private error: Error | undefined;
  constructor(
    private readonly text: string,
    private readonly data: Buffer,
    private readonly done: (err: Error | undefined) => void,
  ) {}

  submit(connection: pg.Connection): void {
    (connection as unknown as CopyConnection).query(this.text);
  }
  handleCopyInResponse(connection: pg.Connection): void {
    const c = connection as unknown as CopyConnection;
    c.sendCopyFromChunk(this.data);
    c.endCopyFrom();
  }
  handleError(err: Error): void {
    this.error ??= err;
  }
  handleReadyForQuery(): void {
    this.done(this.error);
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
}

export function copyFrom(client: pg.ClientBase, text: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    client.query(new CopyFromBuffer(text, data, (err) => (err ? reject(err) : resolve())));
  });
}

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
const PG_EPOCH_US = BigInt(Date.UTC(2000, 0, 1)) * 1000n;

/** One stream_messages row for binary COPY; headers, value_ref and msg_id are NULL. */
export interface CopyRow {
  readonly streamId: number;
  readonly seq: number;
  readonly ts: Date;
  readonly value: Buffer;
}

export const COPY_MESSAGES_SQL =
  "copy stream_messages (stream_id, seq, ts, headers, value, value_ref, value_size, msg_id) from stdin with (format binary)";

/** Encodes rows in PostgreSQL's binary COPY format (header, tuples, trailer). */
export function encodeBinaryCopy(rows: readonly CopyRow[]): Buffer {
  let size = SIGNATURE.length + 8 + 2;
  for (const r of rows) size += 2 + 3 * 12 + 4 + (4 + r.value.length) + 4 + 8 + 4;
  const b = Buffer.allocUnsafe(size);
  let o = SIGNATURE.copy(b, 0);
  o = b.writeInt32BE(0, o); // flags
  o = b.writeInt32BE(0, o); // header extension length
  for (const r of rows) {
    o = b.writeInt16BE(8, o);
    o = b.writeInt32BE(8, o);
    o = b.writeBigInt64BE(BigInt(r.streamId), o);
    o = b.writeInt32BE(8, o);
    o = b.writeBigInt64BE(BigInt(r.seq), o);
    o = b.writeInt32BE(8, o);
    o = b.writeBigInt64BE(BigInt(r.ts.getTime()) * 1000n - PG_EPOCH_US, o);
    o = b.writeInt32BE(-1, o); // headers
    o = b.writeInt32BE(r.value.length, o);
    o += r.value.copy(b, o);
    o = b.writeInt32BE(-1, o); // value_ref
    o = b.writeInt32BE(4, o);
    o = b.writeInt32BE(r.value.length, o);
    o = b.writeInt32BE(-1, o); // msg_id
  }
  b.writeInt16BE(-1, o);
  return b;
}
