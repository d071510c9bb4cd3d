/** What a tenant key may do. Declared once: column type, zod schema, admin UI and guards use it. */
export const SCOPES = [
  "streams:read",
  "streams:write",
  "kv:read",
  "kv:write",
  "docs:read",
  "docs:write",
] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Does `pattern` admit the resource `name`? Patterns follow NATS subjects:
 * tokens split on `.`, `*` matches exactly one token, `>` (last only) matches
 * one or more trailing tokens; anything else matches literally.
 * `orders.*` admits `orders.eu` but not `orders` or `orders.eu.west`.
 */
export function patternMatches(pattern: string, name: string): boolean {
  const want = pattern.split(".");
  const have = name.split(".");
  for (let i = 0; i < want.length; i++) {
    const token = want[i];
    if (token === ">") return i === want.length - 1 && have.length > i;
    if (i >= have.length) return false;
    if (token !== "*" && token !== have[i]) return false;
  }
  return want.length === have.length;
}

/** A key without patterns reaches every name of its tenant. */
export function namesAllowed(patterns: readonly string[], name: string): boolean {
  return patterns.length === 0 || patterns.some((p) => patternMatches(p, name));
}
