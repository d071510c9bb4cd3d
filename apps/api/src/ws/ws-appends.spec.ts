import {
  type AckEntry,
  type AppendOptions,
  type AppendResult,
  type KeyId,
  MessageTooLarge,
  type NewMessage,
  type Principal,
  StreamNotFound,
  type StreamsService,
  type TenantId,
} from "@strata/core";
import { describe, expect, it } from "vitest";
import { AppendPipeline, type AppendUnit } from "./ws-appends.js";
import { TooManyInFlight } from "./ws-errors.js";
import { DEFAULT_WS_LIMITS } from "./ws-limits.js";

const principal: Principal = {
  tenant: { id: "t" as TenantId, name: "t" },
  keyId: "k" as KeyId,
  scopes: ["streams:write"],
  patterns: [],
};

/** An owner stand-in: dense seqs per stream, optional failure rule, records each call. */
function fakeStreams(fail?: (stream: string, messages: readonly NewMessage[]) => Error | null) {
  const calls: { stream: string; texts: string[]; opts: AppendOptions }[] = [];
  const last = new Map<string, number>();
  const service = {
    /** Never loaded: every unit takes the lane. */
    tryAppend: () => false,
    async append(
      _p: Principal,
      stream: string,
      messages: readonly NewMessage[],
      opts: AppendOptions,
    ) {
      calls.push({ stream, texts: messages.map((m) => Buffer.from(m.value).toString()), opts });
      await new Promise((r) => setTimeout(r, 1));
      const err = fail?.(stream, messages);
      if (err) throw err;
      const seqs = messages.map(() => {
        const seq = (last.get(stream) ?? 0) + 1;
        last.set(stream, seq);
        return { seq, duplicate: false };
      });
      return {
        firstSeq: seqs[0]!.seq,
        lastSeq: seqs[seqs.length - 1]!.seq,
        ts: new Date(0),
        ack: opts.ack ?? "durable",
        duplicate: false,
        seqs,
      } satisfies AppendResult;
    },
  };
  return { calls, service: service as unknown as StreamsService };
}

function pipeline(streams: StreamsService, limits = DEFAULT_WS_LIMITS) {
  const acks: AckEntry[] = [];
  const errors: { id: string | number; err: unknown }[] = [];
  const p = new AppendPipeline(streams, principal, limits, {
    ack: (a) => acks.push(a),
    error: (id, err) => errors.push({ id, err }),
  });
  const settled = async (n: number) => {
    for (let i = 0; i < 500 && acks.length + errors.length < n; i++) {
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  return { p, acks, errors, settled };
}

const unit = (id: number, text: string, extra: Partial<AppendUnit> = {}): AppendUnit => ({
  id,
  messages: [{ value: Buffer.from(text) }],
  bytes: text.length,
  ...extra,
});

describe(AppendPipeline.name, () => {
  it("sends appends queued in one turn to one stream as one call, answering each in order", async () => {
    const { calls, service } = fakeStreams();
    const { p, acks, settled } = pipeline(service);
    for (let i = 0; i < 5; i++) p.submit("s", unit(i, `m${i}`));
    await settled(5);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.texts).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    expect(acks.map((a) => [a.id, a.seq])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    expect(p.inFlight).toBe(0);
  });

  it("keeps one call in flight per stream and the order of arrival", async () => {
    const { calls, service } = fakeStreams();
    const { p, acks, settled } = pipeline(service);
    p.submit("s", unit(0, "a"));
    p.submit("other", unit(1, "x"));
    await new Promise((r) => setImmediate(r));
    p.submit("s", unit(2, "b"));
    p.submit("s", unit(3, "c"));
    await settled(4);
    expect(calls.map((c) => [c.stream, c.texts])).toEqual([
      ["s", ["a"]],
      ["other", ["x"]],
      ["s", ["b", "c"]],
    ]);
    expect(acks.filter((a) => a.id !== 1).map((a) => a.seq)).toEqual([1, 2, 3]);
  });

  it("does not share a call between different ack levels or with expected_last_seq", async () => {
    const { calls, service } = fakeStreams();
    const { p, settled } = pipeline(service);
    p.submit("s", unit(0, "a"));
    p.submit("s", unit(1, "b", { ack: "none" }));
    p.submit("s", unit(2, "c", { expectedLastSeq: 2 }));
    p.submit("s", unit(3, "d"));
    await settled(4);
    expect(calls.map((c) => c.texts)).toEqual([["a"], ["b"], ["c"], ["d"]]);
    expect(calls[2]!.opts.expectedLastSeq).toBe(2);
  });

  it("retries each request alone when a shared call fails for some of them", async () => {
    const tooLarge = (_s: string, ms: readonly NewMessage[]) =>
      ms.some((m) => m.value.byteLength > 3) ? new MessageTooLarge(3) : null;
    const { calls, service } = fakeStreams(tooLarge);
    const { p, acks, errors, settled } = pipeline(service);
    ["a", "toolong", "b"].forEach((v, i) => p.submit("s", unit(i, v)));
    await settled(3);
    expect(calls).toHaveLength(4);
    expect(acks.map((a) => [a.id, a.seq])).toEqual([
      [0, 1],
      [2, 2],
    ]);
    expect(errors.map((e) => e.id)).toEqual([1]);
  });

  it("answers every request at once when the failure concerns them all", async () => {
    const { calls, service } = fakeStreams((s) => new StreamNotFound(s));
    const { p, errors, settled } = pipeline(service);
    for (let i = 0; i < 3; i++) p.submit("gone", unit(i, "x"));
    await settled(3);
    expect(calls).toHaveLength(1);
    expect(errors.map((e) => e.id)).toEqual([0, 1, 2]);
  });

  it("refuses requests past the in-flight limits without queueing them", () => {
    const { service } = fakeStreams();
    const { p } = pipeline(service, { ...DEFAULT_WS_LIMITS, maxInFlightAppends: 2 });
    p.submit("s", unit(0, "a"));
    p.submit("s", unit(1, "b"));
    expect(() => p.submit("s", unit(2, "c"))).toThrow(TooManyInFlight);
    expect(p.inFlight).toBe(2);
  });
});
