import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/bus.js";
import { DEFAULT_KV_CONFIG, type KvWriteResult } from "../kv/kv.js";
import { KvOwner } from "../kv/kv-owner.js";
import { MemoryKvStore } from "../kv/memory-kv-store.js";
import { Fenced } from "../streams/stream.errors.js";
import { NotOwner } from "./cluster.js";
import { ClusterKvRouter, ForwardRefused, type KvForwarder } from "./cluster-kv-router.js";
import { type ClusterNode, ForwardFailed, type Placement } from "./cluster-stream-router.js";
import { RemoteError } from "./remote-error.js";

const me: ClusterNode = { id: "me-1", name: "me", address: "http://me" };
const other: ClusterNode = { id: "other-1", name: "other", address: "http://other" };
const third: ClusterNode = { id: "third-1", name: "third", address: "http://third" };
const enc = (s: string) => new TextEncoder().encode(s);

function setup(
  owner: ClusterNode | null,
  forward: (n: ClusterNode, attempt: number) => Promise<KvWriteResult>,
) {
  const store = new MemoryKvStore();
  const local = new KvOwner(
    store,
    new InProcessBus(),
    { claim: async () => 1 },
    { now: () => new Date() },
    { node: me, maxBatchItems: 100, maxInFlight: 2 },
  );
  const ref = store.addBucket(1, DEFAULT_KV_CONFIG);
  const state = { owner, invalidations: 0, calls: 0, targets: [] as string[] };
  const placement: Placement = {
    owner: async () => state.owner,
    aliveNodes: async () => [me, other],
    invalidate: () => void state.invalidations++,
  };
  const forwarder = {
    put: async (n: ClusterNode) => {
      state.targets.push(n.id);
      return forward(n, state.calls++);
    },
  } as unknown as KvForwarder;
  const router = new ClusterKvRouter(local, placement, forwarder, me, {
    attempts: 4,
    backoffMs: 1,
  });
  return { router, state, store, ref, local };
}

describe(ClusterKvRouter.name, () => {
  it("writes locally when this node owns the bucket", async () => {
    const { router, ref, store } = setup(me, async () => {
      throw new Error("must not forward");
    });
    expect(await router.put(ref, "k", enc("a"), {})).toEqual({ revision: 1 });
    expect(store.buckets.get(ref.id)!.lastRevision).toBe(1);
  });

  it("forwards to the owner when another node owns the bucket", async () => {
    const { router, ref, state, store } = setup(other, async () => ({ revision: 7 }));
    expect(await router.put(ref, "k", enc("a"), {})).toEqual({ revision: 7 });
    expect(state.targets).toEqual([other.id]);
    expect(store.buckets.get(ref.id)!.lastRevision).toBe(0);
  });

  it("sends an unowned bucket to its rendezvous-preferred node", async () => {
    const { router, ref } = setup(null, async () => ({ revision: 1 }));
    const target = await router.target(`bucket:${ref.id}`);
    const { preferredOwner } = await import("./rendezvous.js");
    const preferred = preferredOwner(`bucket:${ref.id}`, [me, other])!;
    expect(target).toEqual(preferred.id === me.id ? "self" : preferred);
  });

  it("retries not_owner, fenced and refused connections on the new owner", async () => {
    for (const failure of [
      new RemoteError({ code: "not_owner", status: 503, message: "x", retryable: true }),
      new RemoteError({ code: "fenced", status: 503, message: "x", retryable: true }),
      new ForwardRefused("refused"),
    ]) {
      const { router, ref, state } = setup(other, async (_n, attempt) => {
        if (attempt === 0) {
          state.owner = third;
          throw failure;
        }
        return { revision: 3 };
      });
      expect(await router.put(ref, "k", enc("a"), {})).toEqual({ revision: 3 });
      expect(state.targets).toEqual([other.id, third.id]);
      expect(state.invalidations).toBe(1);
    }
  });

  it("never retries a forwarded write whose outcome is unknown", async () => {
    for (const failure of [
      new ForwardFailed("timeout"),
      new RemoteError({ code: "forward_failed", status: 503, message: "5xx", retryable: true }),
      new RemoteError({ code: "commit_failed", status: 503, message: "x", retryable: true }),
    ]) {
      const { router, ref, state } = setup(other, async () => {
        throw failure;
      });
      await expect(router.put(ref, "k", enc("a"), {})).rejects.toBe(failure);
      expect(state.calls).toBe(1);
    }
  });

  it("does not retry client errors such as a failed precondition", async () => {
    const failure = new RemoteError({
      code: "precondition_failed",
      status: 412,
      message: "x",
      retryable: false,
    });
    const { router, ref, state } = setup(other, async () => {
      throw failure;
    });
    await expect(router.put(ref, "k", enc("a"), {})).rejects.toBe(failure);
    expect(state.calls).toBe(1);
  });

  it("gives up after the configured attempts", async () => {
    const { router, ref, state } = setup(other, async () => {
      throw new NotOwner("bucket:1");
    });
    await expect(router.put(ref, "k", enc("a"), {})).rejects.toBeInstanceOf(NotOwner);
    expect(state.calls).toBe(4);
  });

  it("retries a local fenced write on the new owner", async () => {
    const { router, ref, state, local } = setup(me, async () => ({ revision: 9 }));
    let first = true;
    const put = local.put.bind(local);
    local.put = async (...args) => {
      if (first) {
        first = false;
        state.owner = other;
        throw new Fenced("me-1");
      }
      return put(...args);
    };
    expect(await router.put(ref, "k", enc("a"), {})).toEqual({ revision: 9 });
    expect(state.targets).toEqual([other.id]);
  });
});
