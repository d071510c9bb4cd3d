import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/bus.js";
import { MemoryMessageLog } from "./memory-message-log.js";
import { streamTopic } from "./stream-owner.js";
import { StreamSubscription } from "./stream-subscription.js";
import { type Message, type StreamId } from "./stream.js";

const id = 7 as StreamId;
const msg = (seq: number): Message => ({
  seq,
  ts: new Date(),
  headers: null,
  value: new Uint8Array([seq]),
  msgId: null,
});

function store(log: MemoryMessageLog, seqs: number[]) {
  const list = log.rows.get(id) ?? [];
  list.push(...seqs.map(msg));
  log.rows.set(id, list);
}

describe(StreamSubscription.name, () => {
  it("delivers the backlog, then live events, without gap or duplicate", async () => {
    const log = new MemoryMessageLog();
    const bus = new InProcessBus();
    store(log, [1, 2, 3]);
    const got: number[] = [];
    const sub = new StreamSubscription(bus, log, id, 2, {
      deliver: (m) => (got.push(...m.map((x) => x.seq)), true),
      failed: () => {},
    });
    await sub.start();
    store(log, [4]);
    bus.publish(streamTopic(id), { streamId: id, messages: [msg(3), msg(4)] });
    expect(got).toEqual([2, 3, 4]);
    expect(sub.state).toBe("live");
  });

  it("reads storage again when a live event skips seqs (a lost event)", async () => {
    const log = new MemoryMessageLog();
    const bus = new InProcessBus();
    const got: number[] = [];
    const sub = new StreamSubscription(bus, log, id, 1, {
      deliver: (m) => (got.push(...m.map((x) => x.seq)), true),
      failed: () => {},
    });
    await sub.start();
    store(log, [1, 2, 3]);
    bus.publish(streamTopic(id), { streamId: id, messages: [msg(3)] });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([1, 2, 3]);
  });

  it("pauses when the sink is full, holds nothing, and resumes from storage", async () => {
    const log = new MemoryMessageLog();
    const bus = new InProcessBus();
    store(log, [1, 2]);
    const got: number[] = [];
    let room = false;
    let paused = 0;
    const sub = new StreamSubscription(
      bus,
      log,
      id,
      1,
      {
        deliver: (m) => (got.push(...m.map((x) => x.seq)), room),
        paused: () => paused++,
        failed: () => {},
      },
      { pageMessages: 2, pageBytes: 1 << 20, bufferMessages: 100 },
    );
    await sub.start();
    expect(sub.state).toBe("paused");
    store(log, [3, 4, 5]);
    bus.publish(streamTopic(id), { streamId: id, messages: [msg(3), msg(4), msg(5)] });
    expect(got).toEqual([1, 2]);
    room = true;
    sub.resume();
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(paused).toBe(1);
  });
});
