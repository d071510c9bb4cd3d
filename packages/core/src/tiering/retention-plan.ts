/** A cold segment as retention sees it (from the manifest; objects are not read). */
export interface SegmentSummary {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly messages: number;
  /** Sum of the sizes of its values (what counts against `max_bytes`). */
  readonly valueBytes: number;
  readonly lastTs: Date;
}

export interface RetentionExcess {
  /** Messages over `max_messages` (0 when within, or no limit). */
  readonly messages: number;
  /** Bytes over `max_bytes`. */
  readonly bytes: number;
  /** Messages older than this are past `max_age` (null: no age limit). */
  readonly before: Date | null;
}

export interface ColdCut {
  /** Highest seq of the whole segments that go (0: none). */
  readonly upToSeq: number;
  readonly messages: number;
  readonly bytes: number;
  /** Every segment goes, so the hot tier's oldest messages are next in line. */
  readonly allSegments: boolean;
}

/**
 * Which of the oldest cold segments retention may drop. The cold tier is
 * retained at segment granularity, like Kafka's log segments: a segment goes
 * only when every message in it is past a limit (all of it older than
 * `max_age`, or all of it within the excess over `max_messages`/`max_bytes`),
 * so retention never deletes a message a limit still keeps. A segment that
 * is only partly past a limit stays until the rest of it is too.
 */
export function planColdRetention(
  segments: readonly SegmentSummary[],
  excess: RetentionExcess,
): ColdCut {
  let messages = 0;
  let bytes = 0;
  let upToSeq = 0;
  let dropped = 0;
  for (const s of segments) {
    const byCount = excess.messages > 0 && messages + s.messages <= excess.messages;
    const byBytes = excess.bytes > 0 && bytes + s.valueBytes <= excess.bytes;
    const byAge = excess.before !== null && s.lastTs < excess.before;
    if (!byCount && !byBytes && !byAge) break;
    messages += s.messages;
    bytes += s.valueBytes;
    upToSeq = s.lastSeq;
    dropped++;
  }
  return { upToSeq, messages, bytes, allSegments: dropped === segments.length };
}
