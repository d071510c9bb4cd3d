import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/bus.js";
import { NotOwner } from "../cluster/cluster.js";
import { CommitFailed, Fenced } from "../streams/stream.errors.js";
import { bucketTopic, type KvBusEvent } from "./kv-batch.js";
import { BucketFull, KeyNotFound, PreconditionFailed, ValueTooLarge } from "./kv.errors.js";
import { DEFAULT_KV_CONFIG, type KvConfig } from "./kv.js";
import { KvOwner } from "./kv-owner.js";
import { purgeExpired } from "./kv-purge.js";
import { MemoryKvStore } from "./memory-kv-store.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());

function setup(config: Partial<KvConfig> = {}) {
  const store = new MemoryKvStore();
  const bus = new InProcessBus();
  let now = Date.parse("2030-01-01T00:00:00Z");
  store.now = () => now;
  const node = { id: "n1" };
  const owner = new KvOwner(
    store,
    bus,
    { claim: async () => 1 },
    { now: () => new Date(now) },
    { node, maxBatchItems: 100, maxInFlight: 2 },
  );
  const ref = store.addBucket(1, { ...DEFAULT_KV_CONFIG, ...config });
  return { store, bus, owner, ref, node, advance: (ms: number) => (now += ms) };
}

describe(KvOwner.name, () => {
  it("gives concurrent writes dense, strictly increasing revisions and commits them in few batches", async () => {
    const { store, owner, ref } = setup();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => owner.put(ref, `k${i % 7}`, enc(`v${i}`))),
    );
    expect(results.map((r) => r.revision).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(store.buckets.get(ref.id)!.lastRevision).toBe(50);
    expect(store.commits).toBeLessThan(10);
  });

  it("decides compare-and-swap against accepted writes that are not committed yet", async () => {
    const { owner, ref } = setup();
    const first = owner.put(ref, "k", enc("a"));
    // Accepted but uncommitted: revision 1 is already the key's current revision.
    const swap = owner.put(ref, "k", enc("b"), { compare: { key: "k", revision: 1 } });
    const stale = owner
      .put(ref, "k", enc("c"), { compare: { key: "k", revision: 1 } })
      .catch((e: unknown) => e);
    await expect(first).resolves.toEqual({ revision: 1 });
    await expect(swap).resolves.toEqual({ revision: 2 });
    const err = await stale;
    expect(err).toBeInstanceOf(PreconditionFailed);
    expect((err as PreconditionFailed).details.current_revision).toBe(2);
  });

  it("create-only succeeds once, and an expired key counts as absent", async () => {
    const { owner, ref, advance } = setup();
    const absent = { key: "lock", exists: false };
    await owner.put(ref, "lock", enc("me"), { compare: absent, ttlSeconds: 5 });
    await expect(owner.put(ref, "lock", enc("you"), { compare: absent })).rejects.toBeInstanceOf(
      PreconditionFailed,
    );
    advance(6000);
    await expect(owner.put(ref, "lock", enc("you"), { compare: absent })).resolves.toEqual({
      revision: 2,
    });
  });

  it("applies a transaction's writes with one revision, or none of them", async () => {
    const { store, owner, ref } = setup();
    await owner.put(ref, "a", enc("1"));
    const ok = await owner.txn(
      ref,
      [{ key: "a", value: enc("1") }],
      [
        { op: "put", key: "a", value: enc("2") },
        { op: "put", key: "b", value: enc("2") },
      ],
    );
    expect(ok.revision).toBe(2);
    await expect(
      owner.txn(ref, [{ key: "a", revision: 1 }], [{ op: "delete", key: "a" }]),
    ).rejects.toBeInstanceOf(PreconditionFailed);
    const b = store.buckets.get(ref.id)!;
    expect(b.lastRevision).toBe(2);
    expect(dec(b.entries.get("a")?.value)).toBe("2");
    expect(b.entries.get("b")?.revision).toBe(2);
  });

  it("rejects oversized values and writes past max_bytes, changing nothing", async () => {
    const { store, owner, ref } = setup({ maxValueBytes: 4, maxBytes: 6 });
    await expect(owner.put(ref, "k", enc("12345"))).rejects.toBeInstanceOf(ValueTooLarge);
    await owner.put(ref, "k", enc("1234"));
    await expect(owner.put(ref, "j", enc("123"))).rejects.toBeInstanceOf(BucketFull);
    // Replacing the value frees its old bytes first.
    await expect(owner.put(ref, "k", enc("123456".slice(0, 4)))).resolves.toEqual({ revision: 2 });
    expect(store.buckets.get(ref.id)!.lastRevision).toBe(2);
  });

  it("deletes with If-Match, and 404s a key that is not there", async () => {
    const { owner, ref } = setup();
    await owner.put(ref, "k", enc("v"));
    await expect(owner.delete(ref, "k", { key: "k", revision: 9 })).rejects.toBeInstanceOf(
      PreconditionFailed,
    );
    await expect(owner.delete(ref, "k", { key: "k", revision: 1 })).resolves.toEqual({
      revision: 2,
    });
    await expect(owner.delete(ref, "k")).rejects.toBeInstanceOf(KeyNotFound);
  });

  it("touch moves the expiry without a revision; the purge expires keys with their own revision", async () => {
    const { store, bus, owner, ref, advance } = setup({ ttlSeconds: 10 });
    const seen: string[] = [];
    await bus.subscribe(bucketTopic(ref.id), (e) =>
      seen.push(...(e as KvBusEvent).events.map((x) => `${x.revision}:${x.op}:${x.key}`)),
    );
    await owner.put(ref, "a", enc("1"));
    await owner.put(ref, "b", enc("1"));
    advance(8000);
    await owner.touch(ref, "a");
    advance(4000);
    expect(await purgeExpired(owner, store, { sweep: true, limit: 100 })).toBe(1);
    expect(seen).toEqual(["1:put:a", "2:put:b", "3:expire:b"]);
    await expect(owner.touch(ref, "b")).rejects.toBeInstanceOf(KeyNotFound);
    advance(10_000);
    expect(await purgeExpired(owner, store, { sweep: false, limit: 100 })).toBe(1);
    expect(store.buckets.get(ref.id)!.entries.size).toBe(0);
  });

  it("puts a batch: each entry its own revision in order, refusals and commit failures per entry", async () => {
    const { store, owner, ref } = setup({ maxValueBytes: 4 });
    await owner.put(ref, "cas", enc("v1"));
    const outcomes = await owner.putBatch(ref, [
      { key: "a", value: enc("1") },
      { key: "cas", value: enc("x"), compare: { key: "cas", revision: 9 } },
      { key: "big", value: enc("12345") },
      { key: "cas", value: enc("v2"), compare: { key: "cas", revision: 1 } },
      { key: "a", value: enc("2") },
    ]);
    expect(outcomes[0]).toEqual({ revision: 2 });
    expect((outcomes[1] as { error: Error }).error).toBeInstanceOf(PreconditionFailed);
    expect((outcomes[2] as { error: Error }).error).toBeInstanceOf(ValueTooLarge);
    expect(outcomes.slice(3)).toEqual([{ revision: 3 }, { revision: 4 }]);
    expect(dec((await store.get(ref.id, "a"))?.value)).toBe("2");
    expect(dec((await store.get(ref.id, "cas"))?.value)).toBe("v2");
    expect(await store.get(ref.id, "big")).toBeNull();

    store.fail = new Error("disk on fire");
    const failed = await owner.putBatch(ref, [{ key: "a", value: enc("3") }]);
    expect((failed[0] as { error: Error }).error).toBeInstanceOf(CommitFailed);
    expect(dec((await store.get(ref.id, "a"))?.value)).toBe("2");
  });

  it("fails the whole generation on a commit error and reloads from storage", async () => {
    const { store, owner, ref } = setup();
    await owner.put(ref, "k", enc("a"));
    store.delayMs = 5;
    store.fail = new Error("disk on fire");
    const results = await Promise.allSettled([
      owner.put(ref, "k", enc("b")),
      owner.put(ref, "k", enc("c")),
    ]);
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(CommitFailed);
    // Revision 2 was never committed, so it is handed out again after the reload.
    await expect(
      owner.put(ref, "k", enc("d"), { compare: { key: "k", revision: 1 } }),
    ).resolves.toEqual({
      revision: 2,
    });
  });

  it("drops what an old incarnation held once the node rejoined", async () => {
    const { store, owner, ref, node } = setup();
    await owner.put(ref, "k", enc("a"));
    store.buckets.get(ref.id)!.lastRevision = 5; // another owner wrote meanwhile
    node.id = "n1-again";
    await expect(owner.put(ref, "k", enc("b"))).resolves.toEqual({ revision: 6 });
  });

  it("steps down when a commit finds the node fenced", async () => {
    const { store, owner, ref } = setup();
    store.fenced = true;
    await expect(owner.put(ref, "k", enc("a"))).rejects.toBeInstanceOf(Fenced);
    expect(owner.loadedBuckets).toBe(0);
  });

  it("hands a bucket over: accepted writes commit first, new ones get NotOwner until the hold ends", async () => {
    const { store, owner, ref, advance } = setup();
    await owner.put(ref, "k", enc("loaded"));
    const accepted = owner.put(ref, "k", enc("before"));
    // One turn of the event loop: the put is accepted (revision 2), its commit not yet done.
    await new Promise((r) => setImmediate(r));
    let released = false;
    const handing = owner.handOver(ref.id, 1000, async () => {
      // Everything accepted before the hand-over is committed by now.
      expect(store.buckets.get(ref.id)!.lastRevision).toBe(2);
      released = true;
    });
    const refused = await owner.put(ref, "k", enc("during")).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotOwner);
    expect((refused as NotOwner).retryable).toBe(true);
    await expect(accepted).resolves.toEqual({ revision: 2 });
    await handing;
    expect(released).toBe(true);
    expect(owner.peek(ref.id)).toBeUndefined();
    // After the hold this node may claim it again (the claim decides), reloading from storage.
    advance(1001);
    await expect(owner.put(ref, "k", enc("after"))).resolves.toEqual({ revision: 3 });
  });
});
