import type pg from "pg";

/** The parts of node-postgres's Connection a COPY FROM STDIN needs (not in @types/pg). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFail(message: string): void;
  readonly stream: { write(data: Buffer): boolean };
}

/**
 * `COPY … FROM STDIN` with the whole payload in hand, already framed as the
 * protocol's CopyData + CopyDone (see frameCopyData, encodeMessageRows), as a
 * node-postgres Submittable: the payload goes to the socket as one write.
 * `text` may run statements before the COPY in the same simple query;
 * `proceed` sees how many rows they returned and may refuse to copy, which
 * fails the COPY so nothing is written.
 */
export class CopyIn implements pg.Submittable {
  private rows = 0;
  private refused = false;
  private finished = false;
  constructor(
    private readonly text: string,
    private readonly framed: Buffer,
    private readonly done: (err: Error | undefined, refused: boolean) => void,
    private readonly proceed: (rowsBefore: number) => boolean = () => true,
  ) {}

  submit(connection: pg.Connection): void {
    (connection as unknown as CopyConnection).query(this.text);
  }
  handleDataRow(): void {
    this.rows++;
  }
  handleCopyInResponse(connection: pg.Connection): void {
    const c = connection as unknown as CopyConnection;
    if (this.proceed(this.rows)) c.stream.write(this.framed);
    else {
      this.refused = true;
      c.sendCopyFail("refused before the copy");
    }
  }
  /**
   * node-postgres drops the active query on an ErrorResponse (and on a lost
   * connection) before ReadyForQuery arrives: an error is the end.
   */
  handleError(err: Error): void {
    this.finish(err);
  }
  handleReadyForQuery(): void {
    this.finish(undefined);
  }
  private finish(err: Error | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.done(err, this.refused);
  }
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handlePortalSuspended(): void {}
  handleEmptyQuery(): void {}
  handleCopyData(): void {}
}

/** Runs `COPY … FROM STDIN` with `framed` (CopyData + CopyDone, in the format the statement names). */
export function copyFramed(client: pg.ClientBase, text: string, framed: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    client.query(new CopyIn(text, framed, (err) => (err ? reject(err) : resolve())));
  });
}

/** Wraps COPY data as one CopyData message followed by CopyDone. */
export function frameCopyData(data: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(data.length + 10);
  framed[0] = 0x64; // 'd' CopyData: the length counts itself, not the type byte
  framed.writeInt32BE(data.length + 4, 1);
  data.copy(framed, 5);
  framed[data.length + 5] = 0x63; // 'c' CopyDone
  framed.writeInt32BE(4, data.length + 6);
  return framed;
}
