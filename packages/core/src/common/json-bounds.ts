import { type FieldIssue } from "../errors.js";
import { STORABLE_MESSAGE, storableText } from "./storable-text.js";

/**
 * How deep a JSON request body or WebSocket frame may nest. Every recursive
 * walk (zod's `z.json()`, `JSON.stringify`, Automerge's WASM, which aborts
 * and then spins forever) overflows somewhere past a few thousand levels;
 * no Strata request needs more than a handful.
 */
export const MAX_JSON_DEPTH = 100;

export interface JsonBoundsOptions {
  readonly maxDepth?: number;
  /** Also refuse strings and keys PostgreSQL cannot store (NUL, lone surrogates). */
  readonly storable?: boolean;
}

/**
 * The first way `value` (parsed JSON or msgpack) breaks the bounds, or
 * undefined. Iterative, so it is itself safe on any depth, and it stops at
 * the first offending level without reading the rest.
 */
export function jsonBoundsIssue(
  value: unknown,
  options: JsonBoundsOptions = {},
): FieldIssue | undefined {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: "" }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const v = top.value;
    if (typeof v === "string") {
      if (options.storable && !storableText(v))
        return { path: top.path, message: STORABLE_MESSAGE };
      continue;
    }
    if (v === null || typeof v !== "object" || ArrayBuffer.isView(v)) continue;
    if (top.depth >= maxDepth) {
      return { path: top.path, message: `nests deeper than ${maxDepth} levels (the limit)` };
    }
    const entries = Array.isArray(v) ? v.entries() : Object.entries(v);
    for (const [key, child] of entries) {
      const path = top.path ? `${top.path}.${key}` : String(key);
      if (options.storable && typeof key === "string" && !storableText(key)) {
        return { path, message: `key ${STORABLE_MESSAGE}` };
      }
      stack.push({ value: child, depth: top.depth + 1, path });
    }
  }
  return undefined;
}
