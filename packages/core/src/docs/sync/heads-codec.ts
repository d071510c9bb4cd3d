import bs58check from "bs58check";

/**
 * automerge-repo's form of heads on the wire (`remote-heads-changed`,
 * URLs): each hex change hash as bs58check of its 32 bytes.
 */
export function encodeHeads(heads: readonly string[]): string[] {
  return heads.map((h) => bs58check.encode(hexBytes(h)));
}

export function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sorted = [...b].sort();
  return [...a].sort().every((h, i) => h === sorted[i]);
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
