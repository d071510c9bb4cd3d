import { describe, expect, it } from "vitest";
import { GroupCommitter } from "./group-committer.js";

const tick = () => new Promise((r) => setImmediate(r));

describe(GroupCommitter.name, () => {
  it("batches what arrives while earlier transactions are busy, up to the batch size", async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const committer = new GroupCommitter<number>(
      async (items, predecessor) => {
        batches.push(items);
        await gate;
        await predecessor;
      },
      { maxBatchItems: 3, maxInFlight: 1 },
    );
    committer.add(1);
    await tick();
    for (let i = 2; i <= 8; i++) committer.add(i);
    release();
    await committer.drain();
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6, 7], [8]]);
  });

  it("commits in order: a batch whose predecessor failed fails too, and reset starts a clean chain", async () => {
    const outcome: string[] = [];
    let failNext = true;
    const committer = new GroupCommitter<string>(
      async (items, predecessor) => {
        await new Promise((r) => setTimeout(r, 5));
        if (failNext && items.includes("a")) {
          failNext = false;
          outcome.push("a:failed");
          throw new Error("boom");
        }
        try {
          await predecessor;
        } catch {
          outcome.push(`${items.join("")}:cascaded`);
          throw new Error("predecessor failed");
        }
        outcome.push(`${items.join("")}:ok`);
      },
      { maxBatchItems: 1, maxInFlight: 2 },
    );
    committer.add("a");
    committer.add("b");
    await committer.drain();
    expect(committer.reset()).toEqual([]);
    committer.add("c");
    await committer.drain();
    expect(outcome).toEqual(["a:failed", "b:cascaded", "c:ok"]);
  });

  it("hands back queued items on reset", async () => {
    const committer = new GroupCommitter<number>(() => new Promise(() => {}), {
      maxBatchItems: 1,
      maxInFlight: 1,
    });
    committer.add(1);
    await tick();
    committer.add(2);
    committer.add(3);
    expect(committer.reset()).toEqual([2, 3]);
  });

  it("with keyOf, a batch waits only for the batches in flight that share one of its keys", async () => {
    const outcome: string[] = [];
    let releaseA: () => void = () => {};
    const gateA = new Promise<void>((r) => (releaseA = r));
    const committer = new GroupCommitter<string>(
      async (items, predecessor) => {
        const name = items.join("");
        if (name === "a1") {
          await gateA;
          outcome.push("a1:failed");
          throw new Error("boom");
        }
        try {
          await predecessor;
        } catch {
          outcome.push(`${name}:cascaded`);
          throw new Error("predecessor failed");
        }
        outcome.push(`${name}:ok`);
      },
      { maxBatchItems: 1, maxInFlight: 3, keyOf: (item) => item[0] },
    );
    committer.add("a1");
    committer.add("b1");
    committer.add("a2");
    await tick();
    await tick();
    // b1 shares no key with the stuck a1: it is committed without waiting for it.
    expect(outcome).toEqual(["b1:ok"]);
    releaseA();
    await committer.drain();
    expect(outcome).toEqual(["b1:ok", "a1:failed", "a2:cascaded"]);
    committer.reset();
    committer.add("a3");
    await committer.drain();
    expect(outcome.at(-1)).toBe("a3:ok");
  });
});
