import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/bus.js";
import { MemoryMessageLog } from "./memory-message-log.js";
import { type StreamEvent, StreamOwner, streamTopic } from "./stream-owner.js";
import { CommitFailed, Fenced, StreamFull, WrongLastSeq } from "./stream.errors.js";
import { DEFAULT_STREAM_CONFIG, type StreamConfig, type StreamId } from "./stream.js";

const enc = (s: string) => new TextEncoder().encode(s);

function setup(config: Partial<StreamConfig> = {}) {
  const log = new MemoryMessageLog();
  const bus = new InProcessBus();
  const fenced: Fenced[] = [];
  const owner = new StreamOwner(
    log,
    bus,
    { claim: async () => 1 },
    { now: () => new Date() },
    {
      node: { id: "n1" },
      maxBatchItems: 100,
      maxInFlight: 2,
      replicationAvailable: false,
      onFenced: (e) => fenced.push(e),
    },
  );
  const id = 1 as StreamId;
  log.existing.add(id);
  const ref = { id, tenantId: "t", name: "s", config: { ...DEFAULT_STREAM_CONFIG, ...config } };
  return { log, bus, owner, ref, fenced };
}

describe(StreamOwner.name, () => {
  it("assigns dense seqs to concurrent appends and commits them in few batches", async () => {
    const { log, owner, ref } = setup();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => owner.append(ref, [{ value: enc(`m${i}`) }])),
    );
    expect(results.map((r) => r.firstSeq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(log.rows.get(ref.id)!.map((m) => m.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(log.commits).toBeLessThan(10);
  });

  it("publishes committed messages on the bus, in order", async () => {
    const { bus, owner, ref } = setup();
    const seen: number[] = [];
    await bus.subscribe(streamTopic(ref.id), (e) =>
      seen.push(...(e as StreamEvent).messages.map((m) => m.seq)),
    );
    await Promise.all([
      owner.append(ref, [{ value: enc("a") }, { value: enc("b") }]),
      owner.append(ref, [{ value: enc("c") }]),
    ]);
    expect(seen).toEqual([1, 2, 3]);
  });

  it("fails the appends of a failed commit retryably and reloads, so no seq is skipped", async () => {
    const { log, owner, ref } = setup();
    await owner.append(ref, [{ value: enc("a") }]);
    log.fail = new Error("connection lost");
    log.delayMs = 5;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => owner.append(ref, [{ value: enc(`x${i}`) }])),
    );
    expect(outcomes.every((o) => o.status === "rejected" && o.reason instanceof CommitFailed)).toBe(
      true,
    );
    const next = await owner.append(ref, [{ value: enc("b") }]);
    expect(next.firstSeq).toBe(2);
    expect(log.rows.get(ref.id)!.map((m) => m.seq)).toEqual([1, 2]);
  });

  it("steps down when fenced: the append fails retryably and the node is told once", async () => {
    const { log, owner, ref, fenced } = setup();
    log.fenced = true;
    await expect(owner.append(ref, [{ value: enc("a") }])).rejects.toBeInstanceOf(Fenced);
    expect(fenced).toHaveLength(1);
    expect(owner.loadedStreams).toBe(0);
  });

  it("answers duplicates by msg id with the original seq, waiting for its commit", async () => {
    const { log, owner, ref } = setup();
    const [a, b] = await Promise.all([
      owner.append(ref, [{ value: enc("a"), msgId: "x" }]),
      owner.append(ref, [{ value: enc("a again"), msgId: "x" }]),
    ]);
    expect(a).toMatchObject({ firstSeq: 1, duplicate: false });
    expect(b).toMatchObject({ firstSeq: 1, duplicate: true });
    expect(log.rows.get(ref.id)).toHaveLength(1);
  });

  it("checks expected last seq against accepted, not yet committed messages", async () => {
    const { owner, ref } = setup();
    const first = owner.append(ref, [{ value: enc("a") }], { expectedLastSeq: 0 });
    await expect(
      owner.append(ref, [{ value: enc("b") }], { expectedLastSeq: 0 }),
    ).rejects.toBeInstanceOf(WrongLastSeq);
    await first;
  });

  it("rejects when full with discard new and trims the oldest with discard old", async () => {
    const full = setup({ maxMessages: 2, discard: "new" });
    await full.owner.append(full.ref, [{ value: enc("a") }, { value: enc("b") }]);
    await expect(full.owner.append(full.ref, [{ value: enc("c") }])).rejects.toBeInstanceOf(
      StreamFull,
    );
    const old = setup({ maxMessages: 2, discard: "old" });
    for (const v of ["a", "b", "c", "d"]) await old.owner.append(old.ref, [{ value: enc(v) }]);
    expect(old.log.rows.get(old.ref.id)!.map((m) => m.seq)).toEqual([3, 4]);
    expect(old.owner.peek(old.ref.id)).toMatchObject({ messages: 2, firstSeq: 3, lastSeq: 4 });
  });

  it("rejects only the appends of a stream deleted meanwhile", async () => {
    const { log, owner, ref } = setup();
    const other = { ...ref, id: 2 as StreamId };
    log.existing.add(other.id);
    await owner.append(ref, [{ value: enc("a") }]);
    log.existing.delete(ref.id);
    const [gone, fine] = await Promise.allSettled([
      owner.append(ref, [{ value: enc("b") }]),
      owner.append(other, [{ value: enc("c") }]),
    ]);
    expect(gone.status).toBe("rejected");
    expect(fine.status).toBe("fulfilled");
  });

  it("serves a stream without size limits before counting it, then counts what was stored plus what came since", async () => {
    const { log, owner, ref } = setup();
    await owner.append(ref, [{ value: enc("aa") }, { value: enc("bbb") }]);
    owner.forget(ref.id);
    // The count of what is stored is held back; appends do not wait for it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const count = log.count.bind(log);
    log.count = async (id, upTo) => {
      await gate;
      return count(id, upTo);
    };
    const appended = await owner.append(ref, [{ value: enc("c") }]);
    expect(appended.firstSeq).toBe(3);
    expect(owner.peek(ref.id)).toBeUndefined();
    // A removal waits for the count, so what it removes is not subtracted twice.
    const removal = owner.deleteUpTo(ref, 1);
    release();
    await removal;
    expect(owner.peek(ref.id)).toMatchObject({ firstSeq: 2, lastSeq: 3, messages: 2, bytes: 4 });
  });

  it("counts a stream with size limits before its first append is taken", async () => {
    const { log, owner, ref } = setup({ maxMessages: 2, discard: "new" });
    await owner.append(ref, [{ value: enc("a") }, { value: enc("b") }]);
    owner.forget(ref.id);
    let heads = 0;
    const loadHead = log.loadHead.bind(log);
    log.loadHead = (id) => (heads++, loadHead(id));
    await expect(owner.append(ref, [{ value: enc("c") }])).rejects.toBeInstanceOf(StreamFull);
    expect(heads).toBe(0);
  });
});
