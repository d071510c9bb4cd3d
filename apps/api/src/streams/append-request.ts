import {
  appendBatchBody,
  envelopeValue,
  type Headers,
  headersSchema,
  messageEnvelope,
  msgIdSchema,
  type NewMessage,
  parseInput,
  seqSchema,
} from "@strata/core";
import { z } from "zod";

const HEADER_PREFIX = "strata-header-";

/** HTTP headers that carry append options. */
export interface AppendHttpHeaders {
  readonly [name: string]: string | string[] | undefined;
}

/**
 * The messages of `POST /v1/streams/{name}/messages`: a JSON envelope, a JSON
 * batch `{messages: [...]}`, or any other body as the raw value with
 * `Strata-Header-*` headers and `Strata-Msg-Id`.
 */
export function parseAppendBody(body: unknown, headers: AppendHttpHeaders): NewMessage[] {
  const msgIdHeader = single(headers["strata-msg-id"]);
  if (Buffer.isBuffer(body) || typeof body === "string" || body === undefined) {
    const value = Buffer.isBuffer(body) ? body : Buffer.from(body ?? "", "utf8");
    const custom: Record<string, string> = {};
    for (const [name, v] of Object.entries(headers)) {
      if (name.startsWith(HEADER_PREFIX) && v !== undefined)
        custom[name.slice(HEADER_PREFIX.length)] = single(v)!;
    }
    const parsedHeaders = Object.keys(custom).length
      ? (parseInput(headersSchema, custom, "headers") as Headers)
      : null;
    const msgId =
      msgIdHeader !== undefined ? parseInput(msgIdSchema, msgIdHeader, "Strata-Msg-Id") : null;
    return [{ value, headers: parsedHeaders, msgId }];
  }
  if (typeof body === "object" && body !== null && "messages" in body) {
    const batch = parseInput(appendBatchBody, body);
    return batch.messages.map((m) => ({
      value: envelopeValue(m),
      headers: m.headers ?? null,
      msgId: m.msg_id ?? null,
    }));
  }
  const m = parseInput(messageEnvelope, body);
  const msgId =
    m.msg_id ??
    (msgIdHeader !== undefined ? parseInput(msgIdSchema, msgIdHeader, "Strata-Msg-Id") : null);
  return [{ value: envelopeValue(m), headers: m.headers ?? null, msgId }];
}

const expectedSchema = z.union([z.literal("0").transform(() => 0), seqSchema]);

export function expectedLastSeq(headers: AppendHttpHeaders): number | undefined {
  const raw = single(headers["strata-expected-last-seq"]);
  return raw === undefined
    ? undefined
    : parseInput(expectedSchema, raw, "Strata-Expected-Last-Seq");
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
