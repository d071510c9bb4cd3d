import { describe, expect, it } from "vitest";
import { InProcessBus } from "../bus/bus.js";
import { MemoryMessageLog } from "./memory-message-log.js";
import { StreamOwner } from "./stream-owner.js";
import { CommitFailed, MessageRejected } from "./stream.errors.js";
import { DEFAULT_STREAM_CONFIG, type StreamId } from "./stream.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function setup(streams: number) {
  const log = new MemoryMessageLog();
  // As PostgreSQL refuses a whole COPY for one row it cannot store.
  log.refuses = (row) => dec(row.value).startsWith("bad");
  log.delayMs = 2;
  const owner = new StreamOwner(
    log,
    new InProcessBus(),
    { claim: async () => 1 },
    { now: () => new Date() },
    { node: { id: "n1" }, maxBatchItems: 1000, maxInFlight: 1, replicationAvailable: false },
  );
  const refs = Array.from({ length: streams }, (_, i) => {
    const id = (i + 1) as StreamId;
    log.existing.add(id);
    return { id, tenantId: `t${i}`, name: `s${i}`, config: DEFAULT_STREAM_CONFIG };
  });
  return { log, owner, refs };
}

describe("StreamCommits", () => {
  it("fails only the refused message of a shared batch; every other tenant's append commits", async () => {
    const { log, owner, refs } = setup(16);
    const victim = refs[5]!;
    const appends = refs.flatMap((ref) =>
      Array.from({ length: 4 }, (_, k) =>
        owner.append(ref, [{ value: enc(ref === victim && k === 1 ? "bad" : `m${k}`) }]),
      ),
    );
    const outcomes = await Promise.allSettled(appends);
    const failed = outcomes
      .map((o, i) => ({ o, ref: refs[Math.floor(i / 4)]!, k: i % 4 }))
      .filter((x) => x.o.status === "rejected");
    // The refused message fails for good; the victim stream's later ones retryably.
    expect(failed.map((f) => [f.ref.name, f.k])).toEqual([
      ["s5", 1],
      ["s5", 2],
      ["s5", 3],
    ]);
    const reasons = failed.map((f) => (f.o as PromiseRejectedResult).reason as Error);
    expect(reasons[0]).toBeInstanceOf(MessageRejected);
    expect(reasons.slice(1).every((r) => r instanceof CommitFailed)).toBe(true);
    for (const ref of refs.filter((r) => r !== victim))
      expect(log.rows.get(ref.id)!.map((m) => dec(m.value))).toEqual(["m0", "m1", "m2", "m3"]);
    expect(log.rows.get(victim.id)!.map((m) => dec(m.value))).toEqual(["m0"]);
  });

  it("continues the refused stream with dense seqs once it is reloaded", async () => {
    const { log, owner, refs } = setup(2);
    const [a] = refs as [(typeof refs)[0]];
    await owner.append(a, [{ value: enc("one") }]);
    await expect(owner.append(a, [{ value: enc("bad") }])).rejects.toBeInstanceOf(MessageRejected);
    const next = await owner.append(a, [{ value: enc("two") }]);
    expect(next.firstSeq).toBe(2);
    expect(log.rows.get(a.id)!.map((m) => [m.seq, dec(m.value)])).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
  });
});
