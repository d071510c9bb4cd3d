import { expect } from "vitest";
import { type ReadMessage, type TenantClient, text } from "../../support/tenant-client.js";
import { LocalCluster } from "./local-cluster.js";

/** What the clients saw: each acked append's seq and value, and when acks arrived. */
export class History {
  readonly acked = new Map<number, string>();
  readonly ackTimes: number[] = [];
  readonly failures: { value: string; error: string }[] = [];
  /** Answers a client saw as 503 (retryable) before a retry succeeded. */
  unavailable = 0;
  readonly unavailableBodies: unknown[] = [];

  ack(seq: number, value: string): void {
    this.acked.set(seq, value);
    this.ackTimes.push(Date.now());
  }

  /** The longest stretch without any ack, in ms (the failover gap). */
  longestGap(): number {
    const t = [...this.ackTimes].sort((a, b) => a - b);
    let gap = 0;
    for (let i = 1; i < t.length; i++) gap = Math.max(gap, t[i]! - t[i - 1]!);
    return gap;
  }
}

/**
 * Our semantics, checked on what is stored: seqs dense and increasing, no
 * value twice, and every acked message present at its seq with its value.
 * Returns the violations (empty = consistent).
 */
export function checkHistory(stored: readonly ReadMessage[], history: History): string[] {
  const problems: string[] = [];
  stored.forEach((m, i) => {
    if (i > 0 && m.seq !== stored[i - 1]!.seq + 1)
      problems.push(`gap or disorder: ${stored[i - 1]!.seq} then ${m.seq}`);
  });
  const seen = new Map<string, number>();
  for (const m of stored) {
    const v = text(m);
    if (seen.has(v)) problems.push(`value ${v} stored twice (seq ${seen.get(v)} and ${m.seq})`);
    seen.set(v, m.seq);
  }
  const bySeq = new Map(stored.map((m) => [m.seq, text(m)]));
  for (const [seq, value] of history.acked) {
    if (bySeq.get(seq) !== value)
      problems.push(`acked ${value} at seq ${seq} but stored ${bySeq.get(seq) ?? "nothing"}`);
  }
  return problems;
}

/**
 * Appends `w<k>-<n>` values as fast as the cluster answers, like clients
 * behind a load balancer: each request goes to the next node in `clients`,
 * and a connection error or a retryable 503 is tried again on the next one.
 */
export async function writeUntil(
  clients: () => TenantClient[],
  stream: string,
  history: History,
  stop: () => boolean,
  writers = 4,
): Promise<void> {
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let n = 0; !stop(); n++) {
        const value = `w${w}-${n}`;
        let done = false;
        for (let attempt = 0; attempt < 30 && !done; attempt++) {
          const pool = clients();
          const c = pool[(n + attempt + w) % pool.length]!;
          try {
            const res = await c.append(stream, value, { "strata-msg-id": value });
            if (res.status === 201) {
              history.ack(res.body.seq, value);
              done = true;
            } else if (res.status === 503) {
              history.unavailable++;
              if (history.unavailableBodies.length < 5)
                history.unavailableBodies.push({ node: c.baseUrl, body: res.body });
            } else {
              history.failures.push({ value, error: `${res.status} ${JSON.stringify(res.body)}` });
              done = true;
            }
          } catch {
            // connection refused or reset: the node is gone; try another
          }
          if (!done) await new Promise((r) => setTimeout(r, 100));
        }
        if (!done) history.failures.push({ value, error: "no node accepted it after 30 tries" });
      }
    }),
  );
}

/** Fails the test when the stored stream breaks our semantics, keeping the history as an artifact. */
export function expectConsistent(
  name: string,
  stored: readonly ReadMessage[],
  history: History,
): void {
  const problems = checkHistory(stored, history);
  if (problems.length > 0) {
    const file = LocalCluster.keepArtifact(name, { problems, acked: [...history.acked], stored });
    expect.fail(
      `${problems.length} violation(s), history kept in ${file}: ${problems.slice(0, 5).join("; ")}`,
    );
  }
}
