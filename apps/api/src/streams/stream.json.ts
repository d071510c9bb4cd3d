import {
  type AppendResult,
  configJson,
  type Consumer,
  type Message,
  type Stream,
} from "@strata/core";

/** Wire shapes (snake_case) of streams, messages and consumers. */
export function streamJson(s: Stream) {
  return {
    name: s.name,
    config: configJson(s.config),
    first_seq: s.firstSeq,
    last_seq: s.lastSeq,
    messages: s.messages,
    bytes: s.bytes,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

export function messageJson(m: Message) {
  return {
    seq: m.seq,
    ts: m.ts.toISOString(),
    headers: m.headers ?? {},
    msg_id: m.msgId,
    value_base64: Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength).toString(
      "base64",
    ),
  };
}

export function appendJson(r: AppendResult) {
  return {
    seq: r.lastSeq,
    first_seq: r.firstSeq,
    last_seq: r.lastSeq,
    count: r.seqs.length,
    ts: r.ts.toISOString(),
    ack: r.ack,
    duplicate: r.duplicate,
    ...(r.seqs.length > 1
      ? { duplicates: r.seqs.filter((s) => s.duplicate).map((s) => s.seq) }
      : {}),
  };
}

export function consumerJson(c: Consumer, head?: number) {
  return {
    name: c.name,
    acked_seq: c.ackedSeq,
    ...(head !== undefined ? { head, lag: Math.max(0, head - c.ackedSeq) } : {}),
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}
