import { type OwnedStream } from "./owned-stream.js";
import { minLimit } from "./stream-batch.js";
import { MessageTooLarge, WrongLastSeq } from "./stream.errors.js";
import { type PendingRow } from "./stream-store.js";
import { type NewMessage } from "./stream.js";

/** Which messages of an append are new, and which repeat a msg id (stored, or earlier in the same request). */
export interface AppendPlan {
  /** Per message, in order; seqs of new messages are filled in when assigned. */
  readonly seqs: { seq: number; duplicate: boolean }[];
  /** Indexes of the messages to write. */
  readonly fresh: number[];
  /** Index → index of the same msg id earlier in this request. */
  readonly twinOf: Map<number, number>;
  /** Commits of stored originals that a durable answer must wait for. */
  readonly waits: Promise<void>[];
}

export function planAppend(
  st: OwnedStream,
  messages: readonly NewMessage[],
  now: number,
): AppendPlan {
  const plan: AppendPlan = { seqs: [], fresh: [], twinOf: new Map(), waits: [] };
  const firstIndex = new Map<string, number>();
  messages.forEach((m, k) => {
    if (m.msgId) {
      const twin = firstIndex.get(m.msgId);
      if (twin !== undefined) {
        plan.twinOf.set(k, twin);
        plan.seqs.push({ seq: 0, duplicate: true });
        return;
      }
      const stored = st.duplicateOf(m.msgId, now);
      if (stored) {
        plan.seqs.push({ seq: stored.seq, duplicate: true });
        plan.waits.push(stored.committed);
        return;
      }
      firstIndex.set(m.msgId, k);
    }
    plan.seqs.push({ seq: 0, duplicate: false });
    plan.fresh.push(k);
  });
  return plan;
}

/** Refuses an append that cannot be taken: a wrong expected last seq, or a message over the limit. */
export function checkAppend(
  st: OwnedStream,
  messages: readonly NewMessage[],
  expectedLastSeq: number | undefined,
): void {
  if (expectedLastSeq !== undefined && expectedLastSeq !== st.lastSeq) {
    throw new WrongLastSeq(expectedLastSeq, st.lastSeq);
  }
  // A message larger than the whole stream may hold could only be stored by discarding itself.
  const max = minLimit(st.config.maxMessageBytes, st.config.maxBytes);
  if (max !== null && messages.some((m) => m.value.byteLength > max)) {
    throw new MessageTooLarge(max);
  }
}

/** Gives the plan's fresh messages the stream's next seqs (filled into `plan.seqs`); returns their rows. */
export function assignSeqs(
  st: OwnedStream,
  messages: readonly NewMessage[],
  plan: AppendPlan,
  ts: number,
): PendingRow[] {
  return plan.fresh.map((k) => {
    const m = messages[k]!;
    const seq = ++st.lastSeq;
    plan.seqs[k]!.seq = seq;
    return {
      streamId: st.id,
      seq,
      ts: new Date(ts),
      headers: m.headers ?? null,
      value: m.value,
      msgId: m.msgId ?? null,
    };
  });
}
