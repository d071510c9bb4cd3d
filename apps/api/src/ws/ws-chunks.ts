import {
  type AppendChunkFrame,
  type FrameId,
  frameValue,
  type NewMessage,
  PayloadTooLarge,
} from "@strata/core";
import { MalformedFrame, TooManyInFlight } from "./ws-errors.js";
import { type AppendUnit } from "./ws-appends.js";

interface Partial {
  readonly first: AppendChunkFrame;
  readonly parts: Uint8Array[];
  bytes: number;
  next: number;
}

/**
 * Reassembles `append_chunk` frames into whole values, per connection.
 * Everything held here counts against `maxBytes`, so a client that starts
 * many large values and never finishes them cannot grow the server's memory.
 * Any error drops that value's chunks; the client starts it over at index 0.
 */
export class ChunkAssembler {
  private readonly partials = new Map<FrameId, Partial>();
  private bytes = 0;

  constructor(private readonly limits: { maxBytes: number; maxValues: number }) {}

  /** Adds one chunk; returns the complete append after the `last` one, else null. */
  add(frame: AppendChunkFrame): { stream: string; unit: AppendUnit } | null {
    const value = frameValue(frame);
    let partial = this.partials.get(frame.id);
    if (frame.index === 0) {
      if (partial) {
        this.drop(frame.id);
        throw new MalformedFrame([
          { path: "index", message: "is 0, but this id's chunked append is already in progress" },
        ]);
      }
      if (this.partials.size >= this.limits.maxValues) {
        throw new TooManyInFlight("chunked appends", this.limits.maxValues);
      }
      partial = { first: frame, parts: [], bytes: 0, next: 0 };
      this.partials.set(frame.id, partial);
    } else if (!partial || frame.index !== partial.next) {
      const expected = partial?.next ?? 0;
      this.drop(frame.id);
      throw new MalformedFrame([
        { path: "index", message: `must be ${expected}; this chunked append starts over` },
      ]);
    } else if (frame.stream !== partial.first.stream) {
      this.drop(frame.id);
      throw new MalformedFrame([
        { path: "stream", message: `must be '${partial.first.stream}', as in chunk 0` },
      ]);
    }
    if (this.bytes + value.byteLength > this.limits.maxBytes) {
      this.drop(frame.id);
      throw new PayloadTooLarge(
        this.limits.maxBytes,
        "The chunked values held for this connection",
      );
    }
    partial.parts.push(value);
    partial.bytes += value.byteLength;
    partial.next++;
    this.bytes += value.byteLength;
    if (!frame.last) return null;

    this.drop(frame.id);
    const { first } = partial;
    const message: NewMessage = {
      value: Buffer.concat(partial.parts),
      headers: first.headers ?? null,
      msgId: first.msg_id ?? null,
    };
    return {
      stream: first.stream,
      unit: {
        id: first.id,
        messages: [message],
        bytes: partial.bytes,
        ack: first.ack,
        expectedLastSeq: first.expected_last_seq,
      },
    };
  }

  clear(): void {
    this.partials.clear();
    this.bytes = 0;
  }

  private drop(id: FrameId): void {
    const partial = this.partials.get(id);
    if (!partial) return;
    this.bytes -= partial.bytes;
    this.partials.delete(id);
  }
}
