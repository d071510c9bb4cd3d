/**
 * Rendezvous (highest-random-weight) hashing: the preferred owner of a
 * resource is the node with the highest score for (resource, node). When a
 * node joins, only the resources it now wins move to it (about 1/N of them);
 * when one leaves, only its own move. Nodes are named stably (not by
 * incarnation), so a restarted node is preferred for what it had.
 */
export function preferredOwner<N extends { readonly name: string }>(
  resource: string,
  nodes: readonly N[],
): N | undefined {
  let best: N | undefined;
  let bestScore = -1;
  for (const node of nodes) {
    const score = hash53(`${resource}\u0000${node.name}`);
    if (score > bestScore || (score === bestScore && best !== undefined && node.name < best.name)) {
      best = node;
      bestScore = score;
    }
  }
  return best;
}

/** cyrb53: a fast 53-bit string hash with good spread (not cryptographic). */
export function hash53(s: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
