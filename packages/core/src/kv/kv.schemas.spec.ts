import { describe, expect, it } from "vitest";
import { bucketConfigBody, kvKeySchema, kvTxnBody } from "./kv.schemas.js";
import { prefixUpperBound } from "./kv-store.js";

describe("kvKeySchema", () => {
  it("takes UTF-8 keys up to 1,024 bytes, slashes and all", () => {
    for (const key of ["a", "users/42/profile", "ключ", "🔑/x", "x".repeat(1024)])
      expect(kvKeySchema.safeParse(key).success).toBe(true);
  });

  it("rejects empty keys, control characters, broken UTF-16 and keys over 1,024 bytes", () => {
    for (const key of ["", "a\nb", "a\u0000", "\u007f", "\ud800x", "é".repeat(513)])
      expect(kvKeySchema.safeParse(key).success).toBe(false);
  });
});

describe("bucketConfigBody", () => {
  it("takes mode standard or crdt, nothing else", () => {
    expect(bucketConfigBody.safeParse({ mode: "crdt" }).success).toBe(true);
    expect(bucketConfigBody.safeParse({ mode: "standard" }).success).toBe(true);
    expect(bucketConfigBody.safeParse({ mode: "etcd" }).success).toBe(false);
  });
});

describe("kvTxnBody", () => {
  it("refuses a key written twice in one transaction", () => {
    const op = { op: "put", key: "k", value_text: "v" };
    expect(kvTxnBody.safeParse({ success: [op, op] }).success).toBe(false);
  });
});

describe(prefixUpperBound.name, () => {
  it("is the smallest string above every string with the prefix", () => {
    expect(prefixUpperBound("ab")).toBe("ac");
    expect(prefixUpperBound("a\u{10ffff}")).toBe("b");
    expect(prefixUpperBound("\u{10ffff}")).toBeUndefined();
    expect(prefixUpperBound("a\ud7ff")).toBe("a\ue000");
  });
});
