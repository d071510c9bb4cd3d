import { Packr } from "msgpackr";
import WebSocket from "ws";
import { encodeAppendFrame } from "./append-frame.js";
import { peekMsgs } from "./msgpack-peek.js";

export const SUBPROTOCOL = "strata.v1.msgpack";
const packr = new Packr({ useRecords: false });

/** The server has no `/v1/ws` endpoint (yet), or refused the upgrade. */
export class WsUnavailable extends Error {}

type AppendCallback = (err: Error | null, seq?: number) => void;

interface Ack {
  readonly id: number;
  readonly seq?: number;
}
interface Frame {
  readonly type?: string;
  readonly id?: number;
  readonly sub?: number | string;
  readonly acks?: readonly Ack[];
  readonly msgs?: readonly unknown[];
  readonly code?: string;
  readonly message?: string;
  readonly detail?: string;
}

/** The socket under a `ws` client, reached for `cork` (not public API). */
interface Corkable {
  _socket?: { cork(): void; uncork(): void };
}

/**
 * A Strata `/v1/ws` client for load generation: pipelined appends matched to
 * coalesced acks by id, and subscriptions that only count deliveries.
 * Sends issued in one tick go out corked, as one write.
 */
export class StrataSocket {
  private nextId = 1;
  private readonly pending = new Map<number, AppendCallback>();
  private readonly subs = new Map<number, (count: number) => void>();
  private readonly subscribed = new Map<number, (err: Error | null) => void>();
  private corked = false;
  errors = 0;
  lastError: string | undefined;
  /** `slow_consumer` frames received (the server paused a subscription of this socket). */
  slowConsumer = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => this.onFrame(data));
    ws.on("close", () => this.failAll(new Error("WebSocket closed")));
    ws.on("error", (err) => this.failAll(err));
  }

  static connect(baseWsUrl: string, key: string, timeoutMs = 10_000): Promise<StrataSocket> {
    const url = `${baseWsUrl}/v1/ws?token=${encodeURIComponent(key)}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, SUBPROTOCOL, {
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
      });
      ws.binaryType = "nodebuffer";
      ws.once("unexpected-response", (_req, res) => {
        ws.terminate();
        reject(new WsUnavailable(`upgrade refused: HTTP ${res.statusCode ?? "?"}`));
      });
      ws.once("error", (err) => reject(new WsUnavailable(err.message)));
      ws.once("open", () => {
        if (ws.protocol !== SUBPROTOCOL) {
          ws.close();
          return reject(new WsUnavailable(`server chose subprotocol "${ws.protocol}"`));
        }
        ws.removeAllListeners("error");
        resolve(new StrataSocket(ws));
      });
    });
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Appends one message (ack level: the stream's default, durable unless configured). */
  append(stream: string, value: Buffer, cb: AppendCallback): void {
    const id = this.nextId++;
    this.pending.set(id, cb);
    this.sendRaw(encodeAppendFrame(id, stream, value));
  }

  /** Subscribes from `fromSeq`; `onMsgs` gets the number of messages in each delivery. */
  subscribe(stream: string, fromSeq: number, onMsgs: (count: number) => void): Promise<void> {
    const id = this.nextId++;
    const sub = id;
    this.subs.set(sub, onMsgs);
    this.send({ type: "subscribe", id, sub, stream, from_seq: fromSeq });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.subscribed.delete(id);
        resolve(); // a server that does not confirm subscriptions: assume it is live
      }, 2000);
      this.subscribed.set(id, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    });
  }

  close(): void {
    this.ws.terminate();
  }

  private send(frame: object): void {
    this.sendRaw(packr.pack(frame));
  }

  private sendRaw(data: Buffer): void {
    if (!this.corked) {
      const socket = (this.ws as unknown as Corkable)._socket;
      if (socket) {
        this.corked = true;
        socket.cork();
        setImmediate(() => {
          this.corked = false;
          socket.uncork();
        });
      }
    }
    this.ws.send(data);
  }

  private onFrame(data: Buffer): void {
    if (this.subs.size > 0) {
      const peek = peekMsgs(data);
      if (peek) {
        this.subs.get(Number(peek.sub))?.(peek.count);
        return;
      }
    }
    const f = packr.unpack(data) as Frame;
    switch (f.type) {
      case "acks":
        for (const a of f.acks ?? []) this.settle(a.id, null, a.seq);
        break;
      case "ack":
        if (f.id !== undefined) this.settle(f.id, null, (f as Ack).seq);
        break;
      case "msgs": {
        const handler = this.subs.get(Number(f.sub));
        if (handler) handler(f.msgs?.length ?? 0);
        break;
      }
      case "slow_consumer":
        this.slowConsumer++;
        break;
      case "error": {
        const err = new Error(`${f.code ?? "error"}: ${f.message ?? f.detail ?? ""}`);
        this.errors++;
        this.lastError = err.message;
        if (f.id !== undefined) this.settle(f.id, err);
        break;
      }
      default:
        // subscribed / ok / welcome…: confirm a pending subscribe with this id, if any.
        if (f.id !== undefined) this.subscribed.get(f.id)?.(null);
    }
  }

  private settle(id: number, err: Error | null, seq?: number): void {
    const cb = this.pending.get(id);
    if (cb) {
      this.pending.delete(id);
      cb(err, seq);
      return;
    }
    const s = this.subscribed.get(id);
    if (s) {
      this.subscribed.delete(id);
      s(err);
    }
  }

  private failAll(err: Error): void {
    for (const cb of this.pending.values()) cb(err);
    this.pending.clear();
  }
}
