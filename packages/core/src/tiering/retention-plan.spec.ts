import { describe, expect, it } from "vitest";
import { planColdRetention, type SegmentSummary } from "./retention-plan.js";

const segs: SegmentSummary[] = [
  { firstSeq: 1, lastSeq: 100, messages: 100, valueBytes: 1000, lastTs: new Date(100) },
  { firstSeq: 101, lastSeq: 200, messages: 90, valueBytes: 900, lastTs: new Date(200) },
  { firstSeq: 201, lastSeq: 300, messages: 100, valueBytes: 1000, lastTs: new Date(300) },
];

describe(planColdRetention.name, () => {
  it("drops whole segments only while all of each fits in the excess count", () => {
    expect(planColdRetention(segs, { messages: 189, bytes: 0, before: null })).toEqual({
      upToSeq: 100,
      messages: 100,
      bytes: 1000,
      allSegments: false,
    });
    expect(planColdRetention(segs, { messages: 190, bytes: 0, before: null }).upToSeq).toBe(200);
  });

  it("drops segments whose newest message is past the age limit, in order", () => {
    expect(planColdRetention(segs, { messages: 0, bytes: 0, before: new Date(201) })).toMatchObject(
      {
        upToSeq: 200,
        allSegments: false,
      },
    );
    expect(planColdRetention(segs, { messages: 0, bytes: 0, before: new Date(301) })).toMatchObject(
      {
        upToSeq: 300,
        allSegments: true,
      },
    );
  });

  it("keeps everything when no limit is exceeded", () => {
    expect(planColdRetention(segs, { messages: 0, bytes: 999, before: new Date(50) })).toEqual({
      upToSeq: 0,
      messages: 0,
      bytes: 0,
      allSegments: false,
    });
    expect(planColdRetention([], { messages: 5, bytes: 0, before: null }).allSegments).toBe(true);
  });
});
