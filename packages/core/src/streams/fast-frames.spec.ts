import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fastAppendFrame } from "./fast-frames.js";
import { appendFrame } from "./ws-frames.js";

/** Values that are valid for some field or another, and many that are not. */
const anything = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom(
    "append",
    "orders.eu",
    "a b",
    "",
    "durable",
    "none",
    "x\u0000y",
    "\ud800",
    "a".repeat(129),
  ),
  fc.integer({ min: -3, max: 5 }),
  fc.constantFrom(0.5, -0, Number.NaN, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1),
  fc.uint8Array({ maxLength: 4 }).map((a) => Buffer.from(a)),
  fc.constantFrom(
    null,
    true,
    [],
    {},
    { "x-a": "1" },
    { "bad name": "1" },
    { a: "\u0000" },
    { a: 1 },
  ),
  fc.dictionary(fc.constantFrom("a", "b-c", "D_e", "ü"), fc.string({ maxLength: 3 }), {
    maxKeys: 3,
  }),
  fc.constant("aGVsbG8="),
);

/** Mostly `valid`, sometimes anything at all. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: anything, weight: 1 });

const bytes = fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a));

const frameLike = fc
  .tuple(
    fc.record(
      {
        type: mostly(fc.constant("append")),
        id: mostly(
          fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.string({ minLength: 1, maxLength: 8 })),
        ),
        stream: mostly(fc.constantFrom("orders.eu", "s-1_x", "A.b.C")),
        headers: mostly(
          fc.dictionary(fc.constantFrom("a", "x-y", "Z_1"), fc.string({ maxLength: 4 }), {
            maxKeys: 3,
          }),
        ),
        msg_id: mostly(fc.string({ minLength: 1, maxLength: 8 })),
        expected_last_seq: mostly(fc.integer({ min: 0, max: 100 })),
        ack: mostly(fc.constantFrom("none", "leader", "durable", "replicated")),
        extra: anything,
      },
      { requiredKeys: [] },
    ),
    fc.oneof(
      fc.record({ value: mostly(bytes) }),
      fc.record({ value_text: mostly(fc.string({ maxLength: 8 })) }),
      fc.record({ value_base64: mostly(fc.constantFrom("eA==", "aGVsbG8=")) }),
      fc.record({ value: bytes, value_text: fc.string() }),
      fc.constant({}),
    ),
  )
  .chain(([fields, value]) =>
    // `extra` is rare: most frames should be well formed apart from the odd field.
    fc.integer({ min: 0, max: 9 }).map((roll) => {
      const { extra, ...rest } = fields;
      return roll === 0 && extra !== undefined
        ? { ...rest, ...value, extra }
        : { ...rest, ...value };
    }),
  );

describe(fastAppendFrame.name, () => {
  it("accepts only what the zod schema accepts, with the same value", () => {
    let accepted = 0;
    fc.assert(
      fc.property(frameLike, (raw) => {
        const fast = fastAppendFrame(raw);
        if (fast === undefined) return;
        accepted++;
        const zod = appendFrame.safeParse(raw);
        expect(zod.success).toBe(true);
        expect(fast).toEqual(zod.data);
      }),
      { seed: 20261207, numRuns: 20_000 },
    );
    // The generator must reach the fast path often enough for the property to mean something.
    expect(accepted).toBeGreaterThan(100);
  });

  it("takes the frames clients send (binary and text values, headers, msg ids, options)", () => {
    const frames = [
      { type: "append", id: 1, stream: "orders.eu", value: Buffer.from("x") },
      { type: "append", id: "a-1", stream: "s", value_text: "hello" },
      {
        type: "append",
        id: 7,
        stream: "s",
        value: new Uint8Array([1, 2]),
        headers: { "content-type": "text/plain" },
        msg_id: "m-7",
        expected_last_seq: 0,
        ack: "leader",
      },
    ];
    for (const f of frames) {
      expect(fastAppendFrame(f)).toBe(f);
      expect(appendFrame.parse(f)).toEqual(f);
    }
  });

  it("leaves anything unusual to the zod schema", () => {
    const ok = { type: "append", id: 1, stream: "s", value: Buffer.from("x") };
    for (const f of [
      { ...ok, value_base64: "eA==" },
      { ...ok, extra: 1 },
      { ...ok, msg_id: "a\u0000b" },
      { ...ok, headers: { a: "\ud800" } },
      { type: "append", id: 1, stream: "s" },
      Object.assign(Object.create(null), ok),
    ]) {
      expect(fastAppendFrame(f)).toBeUndefined();
    }
  });
});
