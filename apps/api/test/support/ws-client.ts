import { Packr } from "msgpackr";
import { type RawData, WebSocket } from "ws";

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export type Encoding = "json" | "msgpack";

/** A server frame as the tests see it: values are Buffers in both encodings. */
export interface Frame {
  type: string;
  [field: string]: unknown;
}

export interface Ack {
  id: string | number;
  seq: number;
  first_seq: number;
  last_seq: number;
  ts: string;
  ack: string;
  duplicate: boolean;
}

export interface WireMsg {
  seq: number;
  ts: string;
  headers: Record<string, string>;
  msg_id: string | null;
  value: Buffer;
}

/** The HTTP answer to an upgrade that was refused (no WebSocket handshake). */
export function refusedUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on("open", () => {
      ws.close();
      reject(new Error("the upgrade was accepted"));
    });
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on("error", () => {});
  });
}

/** A real `ws` client that records every frame it receives. */
export class TestWsClient {
  readonly frames: Frame[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    readonly ws: WebSocket,
    readonly encoding: Encoding,
  ) {
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const buf = data as Buffer;
      const frame = (isBinary ? packr.unpack(buf) : JSON.parse(buf.toString())) as Frame;
      this.frames.push(normalize(frame));
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on("close", () => {
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(
    baseUrl: string,
    opts: { key?: string; token?: string; encoding?: Encoding; protocols?: string[] } = {},
  ): Promise<TestWsClient> {
    const encoding = opts.encoding ?? "json";
    const url = `${baseUrl.replace(/^http/, "ws")}/v1/ws${opts.token ? `?token=${encodeURIComponent(opts.token)}` : ""}`;
    const protocols = opts.protocols ?? [`strata.v1.${encoding}`];
    const ws = new WebSocket(url, protocols, {
      headers: opts.key ? { authorization: `Bearer ${opts.key}` } : {},
    });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new TestWsClient(ws, encoding)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
  }

  /** Sends a frame; Buffer values go as `value` (msgpack) or `value_base64` (JSON). */
  send(frame: Record<string, unknown>): void {
    if (this.encoding === "msgpack") {
      this.ws.send(packr.pack(frame));
    } else {
      const f = base64Values(frame);
      if (Array.isArray(f.messages)) f.messages = f.messages.map(base64Values);
      this.ws.send(JSON.stringify(f));
    }
  }

  sendRaw(data: Buffer | string, binary: boolean): void {
    this.ws.send(data, { binary });
  }

  /** The first frame (after `from`) matching `pred`, waiting for it if need be. */
  async waitFor(pred: (f: Frame) => boolean, timeoutMs = 10_000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.slice(from).find(pred);
      if (hit) return hit;
      if (this.ws.readyState !== WebSocket.OPEN) throw new Error("connection closed");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a frame; got ${this.summary()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `pred` holds over all frames so far. */
  async until(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${this.summary()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** A ping/pong round trip: everything the server sent before the pong has arrived. */
  async roundTrip(id = `rt-${Math.random()}`): Promise<void> {
    this.send({ type: "ping", id });
    await this.waitFor((f) => f.type === "pong" && f.id === id);
  }

  get acks(): Ack[] {
    return this.frames.filter((f) => f.type === "acks").flatMap((f) => f.acks as Ack[]);
  }

  errors(): Frame[] {
    return this.frames.filter((f) => f.type === "error");
  }

  /** Every message delivered to `sub`, reassembling `msg_chunk` frames. */
  messages(sub: string | number): WireMsg[] {
    const out: WireMsg[] = [];
    let chunked: { head: Frame; parts: Buffer[] } | undefined;
    for (const f of this.frames) {
      if (f.sub !== sub) continue;
      if (f.type === "msgs") out.push(...(f.msgs as WireMsg[]));
      if (f.type !== "msg_chunk") continue;
      if (f.index === 0) chunked = { head: f, parts: [] };
      chunked!.parts.push(f.value as Buffer);
      if (f.last) {
        const { head, parts } = chunked!;
        const value = Buffer.concat(parts);
        out.push({
          seq: head.seq as number,
          ts: head.ts as string,
          headers: head.headers as Record<string, string>,
          msg_id: head.msg_id as string | null,
          value,
        });
      }
    }
    return out;
  }

  close(code?: number): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close(code);
    });
  }

  private summary(): string {
    return JSON.stringify(this.frames.slice(-5), (_k, v: unknown) =>
      Buffer.isBuffer(v) ? `<${v.length} bytes>` : v,
    );
  }
}

function base64Values(o: Record<string, unknown>): Record<string, unknown> {
  if (!Buffer.isBuffer(o.value)) return { ...o };
  const { value, ...rest } = o;
  return { ...rest, value_base64: value.toString("base64") };
}

/** JSON frames carry `value_base64`; tests compare Buffers either way. */
function normalize(frame: Frame): Frame {
  const fix = (o: Record<string, unknown>) => {
    if (typeof o.value_base64 === "string") {
      o.value = Buffer.from(o.value_base64, "base64");
      delete o.value_base64;
    } else if (o.value instanceof Uint8Array && !Buffer.isBuffer(o.value)) {
      o.value = Buffer.from(o.value);
    }
  };
  fix(frame);
  if (Array.isArray(frame.msgs)) for (const m of frame.msgs) fix(m as Record<string, unknown>);
  return frame;
}
