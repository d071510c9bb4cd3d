export const VIEWS = ["text", "json", "hex"] as const;
export type ValueView = (typeof VIEWS)[number];

/** Past this many bytes a value is shown cut, saying so. */
const SHOWN_BYTES = 4096;

export interface RenderedValue {
  readonly text: string;
  readonly bytes: number;
  readonly truncated: boolean;
  /** Why the chosen view could not show it (e.g. "not JSON"), shown beside a fallback. */
  readonly note?: string;
}

/** A message value (base64 on the wire) as text, pretty JSON or a hex dump. */
export function renderValue(base64: string, view: ValueView): RenderedValue {
  const all = Buffer.from(base64, "base64");
  const bytes = all.subarray(0, SHOWN_BYTES);
  const truncated = all.length > SHOWN_BYTES;
  if (view === "hex") return { text: hexDump(bytes), bytes: all.length, truncated };
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (view === "json") {
    try {
      return {
        text: JSON.stringify(JSON.parse(all.toString("utf8")), null, 2),
        bytes: all.length,
        truncated: false,
      };
    } catch {
      return { text, bytes: all.length, truncated, note: "not JSON: shown as text" };
    }
  }
  return { text, bytes: all.length, truncated };
}

/** `00000000  7b 22 6e 22 3a 32 7d        |{"n":2}|`, 16 bytes a line. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = [...row]
      .map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "."))
      .join("");
    lines.push(`${off.toString(16).padStart(8, "0")}  ${hex.padEnd(47)}  |${ascii}|`);
  }
  return lines.join("\n");
}
