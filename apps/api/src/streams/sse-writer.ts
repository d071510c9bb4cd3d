import { type ServerResponse } from "node:http";

const KEEPALIVE_MS = 15_000;
/** Past this many buffered bytes the client is slow: stop writing until the socket drains. */
const HIGH_WATER_BYTES = 1024 * 1024;

/** Writes Server-Sent Events to a raw response, with keep-alives and backpressure. */
export class SseWriter {
  private keepalive: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly requestId: string,
  ) {}

  open(): void {
    if (!this.res.headersSent) {
      this.res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "x-request-id": this.requestId,
      });
      this.res.write(": strata\n\n");
    }
    this.keepalive = setInterval(() => this.res.write(": keep-alive\n\n"), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Returns false when the client is not keeping up. */
  event(type: string, id: string | undefined, data: unknown): boolean {
    if (this.closed) return false;
    if (!this.res.headersSent) this.open();
    const head = id !== undefined ? `id: ${id}\nevent: ${type}\n` : `event: ${type}\n`;
    this.res.write(`${head}data: ${JSON.stringify(data)}\n\n`);
    return this.res.writableLength < HIGH_WATER_BYTES;
  }

  onDrain(fn: () => void): void {
    this.res.once("drain", fn);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepalive);
    this.res.end();
  }
}
