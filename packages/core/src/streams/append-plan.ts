import { STORABLE_MESSAGE, storableText } from "../common/storable-text.js";
import { ValidationFailed } from "../errors.js";
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
  readonly fresh: readonly number[];
  /** Index → index of the same msg id earlier in this request. */
  readonly twinOf: ReadonlyMap<number, number>;
  /** Commits of stored originals that a durable answer must wait for. */
  readonly waits: readonly Promise<void>[];
}

const FIRST: readonly number[] = [0];
const NONE: readonly never[] = [];
const NO_TWINS: ReadonlyMap<number, number> = new Map();

export function planAppend(
  st: OwnedStream,
  messages: readonly NewMessage[],
  now: number,
): AppendPlan {
  if (messages.length === 1) return planOne(st, messages[0]!, now);
  const plan = {
    seqs: [] as { seq: number; duplicate: boolean }[],
    fresh: [] as number[],
    twinOf: new Map<number, number>(),
    waits: [] as Promise<void>[],
  };
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

/** A single message, the common case, without the maps a batch needs. */
function planOne(st: OwnedStream, m: NewMessage, now: number): AppendPlan {
  const stored = m.msgId ? st.duplicateOf(m.msgId, now) : undefined;
  if (stored) {
    return {
      seqs: [{ seq: stored.seq, duplicate: true }],
      fresh: NONE,
      twinOf: NO_TWINS,
      waits: [stored.committed],
    };
  }
  return { seqs: [{ seq: 0, duplicate: false }], fresh: FIRST, twinOf: NO_TWINS, waits: NONE };
}

/**
 * Refuses an append that cannot be taken: a wrong expected last seq, a
 * message over the limit, or text the database cannot store (checked here
 * too, not only at the edge: one such row would fail the shared commit).
 */
export function checkAppend(
  st: OwnedStream,
  messages: readonly NewMessage[],
  expectedLastSeq: number | undefined,
): void {
  checkStorable(messages);
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
  ts: Date,
): PendingRow[] {
  return plan.fresh.map((k) => {
    const m = messages[k]!;
    const seq = ++st.lastSeq;
    plan.seqs[k]!.seq = seq;
    return {
      streamId: st.id,
      seq,
      ts,
      headers: m.headers ?? null,
      value: m.value,
      msgId: m.msgId ?? null,
    };
  });
}

function checkStorable(messages: readonly NewMessage[]): void {
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const at = messages.length === 1 ? "" : `messages.${i}.`;
    if (m.msgId && !storableText(m.msgId)) throw unstorable(`${at}msg_id`);
    if (!m.headers) continue;
    for (const name in m.headers) {
      if (!storableText(name) || !storableText(m.headers[name]!))
        throw unstorable(`${at}headers.${name.replace(/[^\x20-\x7e]/g, "?")}`);
    }
  }
}

function unstorable(path: string): ValidationFailed {
  return new ValidationFailed([{ path, message: STORABLE_MESSAGE }]);
}
