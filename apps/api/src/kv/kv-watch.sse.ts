import { type KvEvent, type KvService, type Principal, StrataError } from "@strata/core";
import { type FastifyReply, type FastifyRequest } from "fastify";
import { SseWriter } from "../streams/sse-writer.js";
import { eventJson } from "./kv.json.js";

export interface KvWatchSseOptions {
  /**
   * `revision_end`: the id goes on the last change of a revision only, so a
   * Last-Event-ID resume never splits a transaction (the tenant watch).
   * `every_event`: every change carries its revision (the dashboard, which never resumes).
   */
  readonly ids: "revision_end" | "every_event";
  /** Whether error events carry the error's details next to code and detail. */
  readonly errorDetails: boolean;
  /**
   * Registers the stream with AccessWatch (tenant watches): `end` sends the
   * final `error` event and ends it; returns the release for when it closes.
   */
  readonly hold?: (end: (err: StrataError) => void) => () => void;
}

/**
 * Streams a bucket's changes as Server-Sent Events: one `message` per change,
 * `slow_consumer` when the client falls behind (resuming once its socket
 * drains), and a final `error` when the watch fails. Not found, compacted and
 * forbidden are thrown before the stream opens, so they answer as problems.
 */
export async function streamKvWatch(
  kv: KvService,
  p: Principal,
  bucket: string,
  from: { prefix?: string; revision?: number },
  request: FastifyRequest,
  reply: FastifyReply,
  options: KvWatchSseOptions,
): Promise<void> {
  const writer = new SseWriter(reply.raw, String(request.id));
  const watch = await kv.watch(p, bucket, from, {
    deliver: (events) => {
      let ok = true;
      events.forEach((e, i) => {
        const id =
          options.ids === "revision_end" && events[i + 1]?.revision === e.revision
            ? undefined
            : String(e.revision);
        ok = writer.event("message", id, eventJson(e as KvEvent));
      });
      return ok;
    },
    paused: (next) => {
      writer.event("slow_consumer", undefined, { next_revision: next });
      writer.onDrain(() => watch.resume());
    },
    failed: (err) => {
      const body =
        err instanceof StrataError
          ? options.errorDetails
            ? { code: err.code, detail: err.message, ...err.details }
            : { code: err.code, detail: err.message }
          : { code: "read_failed", detail: err.message };
      writer.event("error", undefined, body);
      writer.close();
    },
  });
  reply.hijack();
  writer.open();
  const release =
    options.hold?.((err) => {
      writer.event("error", undefined, { code: err.code, detail: err.message });
      watch.close();
      writer.close();
    }) ?? (() => {});
  request.raw.on("close", () => {
    release();
    watch.close();
    writer.close();
  });
  await watch.start();
}
