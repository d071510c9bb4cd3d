import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/bus.js";
import { Compacted } from "./kv.errors.js";
import { DEFAULT_KV_CONFIG, type KvEvent } from "./kv.js";
import { KvOwner } from "./kv-owner.js";
import { KvWatch } from "./kv-watch.js";
import { MemoryKvStore } from "./memory-kv-store.js";

const enc = (s: string) => new TextEncoder().encode(s);

function setup(history = 1000) {
  const store = new MemoryKvStore();
  const bus = new InProcessBus();
  const owner = new KvOwner(
    store,
    bus,
    { claim: async () => 1 },
    { now: () => new Date() },
    { node: { id: "n1" }, maxBatchItems: 7, maxInFlight: 2 },
  );
  const ref = store.addBucket(1, { ...DEFAULT_KV_CONFIG, history });
  return { store, bus, owner, ref };
}

function collector() {
  const got: KvEvent[] = [];
  const errors: Error[] = [];
  return {
    got,
    errors,
    sink: {
      deliver: (e: readonly KvEvent[]) => (got.push(...e), true),
      failed: (e: Error) => errors.push(e),
    },
  };
}

describe(KvWatch.name, () => {
  it("delivers the backlog then live changes under its prefix, each once and in order, while writes race", async () => {
    const { store, bus, owner, ref } = setup();
    for (let i = 0; i < 30; i++) await owner.put(ref, i % 2 ? `a/${i}` : `b/${i}`, enc(`${i}`));
    const c = collector();
    const watch = new KvWatch(bus, store, ref, "a/", 1, c.sink, {
      pageEvents: 4,
      bufferEvents: 100,
    });
    const writes = Promise.all(
      Array.from({ length: 60 }, (_, i) => owner.put(ref, `a/${i % 5}`, enc(`live${i}`))),
    );
    await watch.start();
    await writes;
    await new Promise((r) => setTimeout(r, 20));
    watch.close();
    const revisions = c.got.map((e) => e.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    expect(new Set(revisions).size).toBe(revisions.length);
    expect(c.got.every((e) => e.key.startsWith("a/"))).toBe(true);
    expect(c.got).toHaveLength(15 + 60);
  });

  it("never splits a transaction across pages", async () => {
    const { store, bus, owner, ref } = setup();
    const ops = Array.from({ length: 10 }, (_, i) => ({
      op: "put" as const,
      key: `k${i}`,
      value: enc("x"),
    }));
    await owner.txn(ref, [], ops);
    await owner.put(ref, "z", enc("y"));
    const batches: number[] = [];
    const watch = new KvWatch(
      bus,
      store,
      ref,
      undefined,
      1,
      {
        deliver: (e) => (batches.push(e.length), true),
        failed: () => {},
      },
      { pageEvents: 3, bufferEvents: 100 },
    );
    await watch.start();
    watch.close();
    expect(batches).toEqual([10, 1]);
  });

  it("fails with Compacted when history it still needs was pruned", async () => {
    const { store, bus, owner, ref } = setup(1);
    await owner.put(ref, "k", enc("1"));
    await owner.put(ref, "k", enc("2"));
    const c = collector();
    const watch = new KvWatch(bus, store, ref, undefined, 1, c.sink);
    await watch.start();
    expect(c.errors[0]).toBeInstanceOf(Compacted);
    expect((c.errors[0] as Compacted).details.oldest_revision).toBe(2);
  });

  it("pauses when the sink is full and resumes from storage without loss", async () => {
    const { store, bus, owner, ref } = setup();
    let room = true;
    const got: number[] = [];
    let pausedAt = 0;
    const watch = new KvWatch(bus, store, ref, undefined, 1, {
      deliver: (e) => (got.push(...e.map((x) => x.revision)), room),
      paused: (next) => (pausedAt = next),
      failed: () => {},
    });
    await watch.start();
    room = false;
    await owner.put(ref, "a", enc("1"));
    expect(watch.state).toBe("paused");
    expect(pausedAt).toBe(2);
    await owner.put(ref, "b", enc("2"));
    await owner.put(ref, "c", enc("3"));
    room = true;
    watch.resume();
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([1, 2, 3]);
    expect(watch.state).toBe("live");
    watch.close();
  });
});
