import { describe, expect, it } from "vitest";
import { hexDump, renderValue } from "./value-view";

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");

describe(renderValue.name, () => {
  it("shows text as it is", () => {
    expect(renderValue(b64("héllo"), "text")).toEqual({
      text: "héllo",
      bytes: 6,
      truncated: false,
    });
  });

  it("pretty-prints JSON, and falls back to text saying why", () => {
    expect(renderValue(b64('{"sku":"A-1"}'), "json").text).toBe('{\n  "sku": "A-1"\n}');
    expect(renderValue(b64("plain"), "json")).toMatchObject({
      text: "plain",
      note: "not JSON: shown as text",
    });
  });

  it("cuts a large value at 4 KiB and says so, but never cuts valid JSON", () => {
    const big = "x".repeat(5000);
    expect(renderValue(b64(big), "text")).toMatchObject({ bytes: 5000, truncated: true });
    expect(renderValue(b64(big), "text").text).toHaveLength(4096);
    const json = JSON.stringify({ v: big });
    expect(renderValue(b64(json), "json")).toMatchObject({ truncated: false, bytes: json.length });
  });

  it("dumps bytes as hex with offsets and printable ASCII", () => {
    expect(renderValue(b64('{"n":2}'), "hex").text).toBe(
      `00000000  7b 22 6e 22 3a 32 7d${" ".repeat(27)}  |{"n":2}|`,
    );
  });
});

describe(hexDump.name, () => {
  it("writes 16 bytes a line and dots for what is not printable", () => {
    const lines = hexDump(Buffer.from([...Array(17).keys()].map((i) => i + 60))).split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe(`00000010  ${"4c".padEnd(47)}  |L|`);
    expect(hexDump(Buffer.from([0, 10, 127]))).toContain("|...|");
    expect(hexDump(Buffer.alloc(0))).toBe("");
  });
});
