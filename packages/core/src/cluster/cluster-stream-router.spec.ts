import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/bus.js";
import { MemoryMessageLog } from "../streams/memory-message-log.js";
import { StreamOwner } from "../streams/stream-owner.js";
import { CommitFailed } from "../streams/stream.errors.js";
import {
  type AppendResult,
  DEFAULT_STREAM_CONFIG,
  type NewMessage,
  type StreamId,
} from "../streams/stream.js";
import { NotOwner } from "./cluster.js";
import {
  type ClusterNode,
  ClusterStreamRouter,
  type Forwarder,
  ForwardFailed,
  type Placement,
} from "./cluster-stream-router.js";

const me: ClusterNode = { id: "me-1", name: "me", address: "http://me" };
const other: ClusterNode = { id: "other-1", name: "other", address: "http://other" };
const ref = { id: 1 as StreamId, tenantId: "t", name: "s", config: DEFAULT_STREAM_CONFIG };
const enc = (s: string) => new TextEncoder().encode(s);

function setup(
  owner: ClusterNode | null,
  forward: (n: ClusterNode, m: readonly NewMessage[], attempt: number) => Promise<AppendResult>,
) {
  const log = new MemoryMessageLog();
  log.existing.add(ref.id);
  const local = new StreamOwner(
    log,
    new InProcessBus(),
    { claim: async () => 1 },
    { now: () => new Date() },
    {
      node: me,
      maxBatchItems: 100,
      maxInFlight: 2,
      replicationAvailable: false,
    },
  );
  const state = { owner, invalidations: 0, calls: 0 };
  const placement: Placement = {
    owner: async () => state.owner,
    aliveNodes: async () => [me, other],
    invalidate: () => void state.invalidations++,
  };
  const forwarder = {
    append: async (n: ClusterNode, _r: unknown, m: readonly NewMessage[]) =>
      forward(n, m, state.calls++),
  } as unknown as Forwarder;
  let n = 0;
  const router = new ClusterStreamRouter(local, placement, forwarder, me, {
    attempts: 4,
    backoffMs: 1,
    newMsgId: () => `gen-${++n}`,
  });
  return { router, state, log };
}

const answer = (seq: number, duplicate = false): AppendResult => ({
  firstSeq: seq,
  lastSeq: seq,
  ts: new Date(),
  ack: "durable",
  duplicate,
  seqs: [{ seq, duplicate }],
});

describe(ClusterStreamRouter.name, () => {
  it("appends locally when this node owns the stream", async () => {
    const { router, log } = setup(me, async () => {
      throw new Error("must not forward");
    });
    expect((await router.append(ref, [{ value: enc("a") }], {})).firstSeq).toBe(1);
    expect(log.rows.get(ref.id)).toHaveLength(1);
  });

  it("forwards to the owner with generated msg ids, keeping the client's own ids", async () => {
    const sent: (string | null | undefined)[] = [];
    const { router } = setup(other, async (_n, m) => {
      sent.push(...m.map((x) => x.msgId));
      return answer(7);
    });
    await router.append(ref, [{ value: enc("a") }, { value: enc("b"), msgId: "mine" }], {});
    expect(sent).toEqual(["gen-1", "mine"]);
  });

  it("retries on the new owner after the old one stops answering, reusing the msg ids", async () => {
    const ids: string[] = [];
    const { router, state } = setup(other, async (_n, m, call) => {
      ids.push(m[0]!.msgId!);
      if (call === 0) throw new ForwardFailed("connection reset");
      if (call === 1) throw new NotOwner("stream:1");
      // The first try had committed after all: the owner reports a duplicate of our own id.
      return answer(3, true);
    });
    const result = await router.append(ref, [{ value: enc("a") }], {});
    expect(ids).toEqual(["gen-1", "gen-1", "gen-1"]);
    expect(result).toMatchObject({ firstSeq: 3, duplicate: false });
    expect(state.invalidations).toBe(2);
  });

  it("does not retry a local commit whose outcome is unknown", async () => {
    const { router, log } = setup(me, async () => answer(1));
    log.fail = new Error("connection lost during commit");
    await expect(router.append(ref, [{ value: enc("a") }], {})).rejects.toBeInstanceOf(
      CommitFailed,
    );
  });

  it("sends an unowned stream to its preferred node", async () => {
    const { router } = setup(null, async () => answer(1));
    const target = await router.target("stream:1");
    expect(target === "self" ? "me" : target.name).toMatch(/^(me|other)$/);
  });
});
