import {
  jsonBoundsIssue,
  type KvEvent,
  type Message,
  type ServerFrame,
  type SubId,
  type WireKvEvent,
  type WireMessage,
  WS_SUBPROTOCOLS,
  type WsSubprotocol,
} from "@strata/core";
import { Packr } from "msgpackr";
import { MalformedFrame } from "./ws-errors.js";

/**
 * One wire encoding of the protocol. Codecs are shared by every connection
 * of that encoding: a message fanned out to many subscribers is encoded once
 * (cached per Message object, which the bus hands to every subscriber) and
 * each subscriber's frame only concatenates the cached bytes.
 */
export abstract class WsCodec {
  abstract readonly protocol: WsSubprotocol;
  /** Binary (msgpack) or text (JSON) frames. */
  abstract readonly binary: boolean;
  /** Values larger than this go out as `msg_chunk` frames. */
  readonly chunkBytes: number;
  private readonly cache = new WeakMap<Message, Buffer>();
  private readonly deliveries = new WeakMap<readonly Message[], Map<SubId, Buffer[]>>();

  constructor(protected readonly frameBytes: number) {
    this.chunkBytes = this.valueBytesPerFrame(frameBytes);
  }

  /** Throws MalformedFrame when the bytes are not one value of this encoding. */
  abstract decode(data: Buffer, isBinary: boolean): unknown;
  abstract encode(frame: ServerFrame): Buffer;
  protected abstract valueBytesPerFrame(frameBytes: number): number;
  protected abstract encodeMessage(m: WireMessage): Buffer;
  protected abstract msgsFrame(sub: SubId, encoded: readonly Buffer[]): Buffer;

  /**
   * The frames of one delivery, in order: `msgs` frames of up to about
   * `frameBytes` each, and `msg_chunk` frames for values over `chunkBytes`.
   */
  encodeDelivery(sub: SubId, messages: readonly Message[]): Buffer[] {
    // A live event reaches every subscriber as the same array; subscribers with the same
    // sub id (clients number their subscriptions alike) get the very same frames.
    let bySub = this.deliveries.get(messages);
    if (!bySub) this.deliveries.set(messages, (bySub = new Map()));
    let frames = bySub.get(sub);
    if (!frames) bySub.set(sub, (frames = this.frames(sub, messages)));
    return frames;
  }

  private frames(sub: SubId, messages: readonly Message[]): Buffer[] {
    const frames: Buffer[] = [];
    let batch: Buffer[] = [];
    let size = 0;
    const flush = () => {
      if (batch.length > 0) frames.push(this.msgsFrame(sub, batch));
      batch = [];
      size = 0;
    };
    for (const m of messages) {
      if (m.value.byteLength > this.chunkBytes) {
        flush();
        this.chunks(sub, m, frames);
        continue;
      }
      let encoded = this.cache.get(m);
      if (!encoded) this.cache.set(m, (encoded = this.encodeMessage(wire(m))));
      if (size + encoded.byteLength > this.frameBytes && batch.length > 0) flush();
      batch.push(encoded);
      size += encoded.byteLength;
    }
    flush();
    return frames;
  }

  /**
   * The `kv.events` frames of one KV delivery, split between events so that
   * a frame stays near `frameBytes`; events are never split (an event whose
   * value alone is larger goes out in a frame of its own).
   */
  encodeKvEvents(sub: SubId, events: readonly KvEvent[]): Buffer[] {
    const frames: Buffer[] = [];
    let batch: WireKvEvent[] = [];
    let size = 0;
    const flush = () => {
      if (batch.length > 0) frames.push(this.encode({ type: "kv.events", sub, events: batch }));
      batch = [];
      size = 0;
    };
    for (const e of events) {
      const value = e.value?.byteLength ?? 0;
      // Field names and numbers take well under 128 bytes; base64 grows values by 4/3.
      const bytes =
        128 + Buffer.byteLength(e.key) + (this.binary ? value : Math.ceil(value / 3) * 4);
      if (size + bytes > this.frameBytes && batch.length > 0) flush();
      batch.push(wireKv(e));
      size += bytes;
    }
    flush();
    return frames;
  }

  private chunks(sub: SubId, m: Message, out: Buffer[]): void {
    const value = asBuffer(m.value);
    const count = Math.ceil(value.byteLength / this.chunkBytes);
    for (let index = 0; index < count; index++) {
      const part = value.subarray(index * this.chunkBytes, (index + 1) * this.chunkBytes);
      const last = index === count - 1;
      const meta =
        index === 0
          ? {
              ts: m.ts.toISOString(),
              headers: m.headers ?? {},
              msg_id: m.msgId,
              size: value.byteLength,
            }
          : {};
      out.push(
        this.encode({ type: "msg_chunk", sub, seq: m.seq, index, last, value: part, ...meta }),
      );
    }
  }
}

/** A decoded frame, refused before validation walks it if it nests past MAX_JSON_DEPTH. */
function bounded(value: unknown): unknown {
  const issue = jsonBoundsIssue(value);
  if (issue) throw new MalformedFrame([issue]);
  return value;
}

function wire(m: Message): WireMessage {
  return {
    seq: m.seq,
    ts: m.ts.toISOString(),
    headers: m.headers ?? {},
    msg_id: m.msgId,
    value: m.value,
  };
}

function wireKv(e: KvEvent): WireKvEvent {
  return {
    revision: e.revision,
    key: e.key,
    op: e.op,
    ...(e.value !== null && e.op === "put" ? { value: e.value } : {}),
    ...(e.expiresAt ? { expires_at: e.expiresAt.toISOString() } : {}),
  };
}

function asBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** `strata.v1.json`: text frames; binary values travel as `value_base64`. */
export class JsonCodec extends WsCodec {
  readonly protocol = WS_SUBPROTOCOLS.json;
  readonly binary = false;

  decode(data: Buffer): unknown {
    let value: unknown;
    try {
      value = JSON.parse(data.toString("utf8"));
    } catch (err) {
      throw new MalformedFrame([
        { path: "", message: `is not valid JSON (${(err as Error).message})` },
      ]);
    }
    return bounded(value);
  }

  encode(frame: ServerFrame): Buffer {
    return Buffer.from(JSON.stringify(jsonFrame(frame)));
  }

  // Base64 grows values by 4/3: half a frame of base64 leaves room for the metadata.
  protected valueBytesPerFrame(frameBytes: number): number {
    return Math.max(3, Math.floor((frameBytes * 3) / 8 / 3) * 3);
  }

  protected encodeMessage(m: WireMessage): Buffer {
    return Buffer.from(JSON.stringify(base64Value(m)));
  }

  protected msgsFrame(sub: SubId, encoded: readonly Buffer[]): Buffer {
    const parts: Buffer[] = [Buffer.from(`{"type":"msgs","sub":${JSON.stringify(sub)},"msgs":[`)];
    encoded.forEach((m, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(m);
    });
    parts.push(CLOSE);
    return Buffer.concat(parts);
  }
}

function jsonFrame(frame: ServerFrame): unknown {
  if (frame.type === "msg_chunk") return base64Value(frame);
  if (frame.type === "kv.events") {
    const events = frame.events.map((e) => (e.value ? base64Value({ ...e, value: e.value }) : e));
    return { ...frame, events };
  }
  if (frame.type === "kv.entries") return { ...frame, entries: frame.entries.map(base64Value) };
  if (frame.type === "kv.results") {
    const results = frame.results.map((r) => ("value" in r ? base64Value(r) : r));
    return { ...frame, results };
  }
  return frame;
}

const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]}");

function base64Value<T extends { value: Uint8Array }>(
  o: T,
): Omit<T, "value"> & { value_base64: string } {
  const { value, ...rest } = o;
  return { ...rest, value_base64: asBuffer(value).toString("base64") };
}

/** `strata.v1.msgpack`: binary frames, plain maps (no msgpackr records), values as bin. */
export class MsgpackCodec extends WsCodec {
  readonly protocol = WS_SUBPROTOCOLS.msgpack;
  readonly binary = true;
  private readonly packr = new Packr({ useRecords: false, mapsAsObjects: true });
  private readonly msgsHead = Buffer.concat([
    Buffer.of(0x83), // a map of three entries: type, sub, msgs
    this.packr.pack("type"),
    this.packr.pack("msgs"),
    this.packr.pack("sub"),
  ]);
  private readonly msgsKey = Buffer.from(this.packr.pack("msgs"));

  decode(data: Buffer, isBinary: boolean): unknown {
    if (!isBinary) {
      throw new MalformedFrame([
        { path: "", message: "must be a binary frame (strata.v1.msgpack)" },
      ]);
    }
    let values: unknown[];
    try {
      values = this.packr.unpackMultiple(data);
    } catch (err) {
      throw new MalformedFrame([
        { path: "", message: `is not valid msgpack (${(err as Error).message})` },
      ]);
    }
    if (values.length !== 1) {
      throw new MalformedFrame([{ path: "", message: "must hold exactly one msgpack value" }]);
    }
    return bounded(values[0]);
  }

  // msgpackr returns views into a shared arena; copying keeps a small frame from pinning it.
  encode(frame: ServerFrame): Buffer {
    return Buffer.from(this.packr.pack(frame));
  }

  protected valueBytesPerFrame(frameBytes: number): number {
    return Math.max(1, Math.floor(frameBytes / 2));
  }

  protected encodeMessage(m: WireMessage): Buffer {
    return Buffer.from(this.packr.pack(m));
  }

  protected msgsFrame(sub: SubId, encoded: readonly Buffer[]): Buffer {
    return Buffer.concat([
      this.msgsHead,
      Buffer.from(this.packr.pack(sub)),
      this.msgsKey,
      arrayHeader(encoded.length),
      ...encoded,
    ]);
  }
}

function arrayHeader(n: number): Buffer {
  if (n < 16) return Buffer.of(0x90 | n);
  if (n < 0x10000) return Buffer.of(0xdc, n >> 8, n & 0xff);
  const b = Buffer.alloc(5);
  b[0] = 0xdd;
  b.writeUInt32BE(n, 1);
  return b;
}
