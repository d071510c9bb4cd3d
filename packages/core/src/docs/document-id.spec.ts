import bs58check from "bs58check";
import { describe, expect, it } from "vitest";
import { ValidationFailed } from "../errors.js";
import { documentUrl, newDocumentId, parseDocumentId, tryParseDocumentId } from "./document-id.js";

describe("document ids", () => {
  it("accepts bs58check ids of 16 bytes, bare or as automerge: URLs", () => {
    const id = newDocumentId();
    expect(bs58check.decode(id)).toHaveLength(16);
    expect(parseDocumentId(id)).toBe(id);
    expect(parseDocumentId(documentUrl(id))).toBe(id);
    expect(parseDocumentId(` automerge:${id}#heads `)).toBe(id);
  });

  it("gives a fresh id each time", () => {
    expect(newDocumentId()).not.toBe(newDocumentId());
  });

  it("rejects anything else with a ValidationFailed naming the field", () => {
    const id = newDocumentId();
    const wrongLength = bs58check.encode(new Uint8Array(8));
    const badChecksum = id.slice(0, -1) + (id.endsWith("1") ? "2" : "1");
    for (const bad of ["", "sync", "automerge:", wrongLength, badChecksum, "0OIl"]) {
      expect(tryParseDocumentId(bad)).toBeNull();
    }
    try {
      parseDocumentId("nope", "path.id");
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationFailed);
      expect((err as ValidationFailed).issues[0]!.path).toBe("path.id");
    }
  });
});
