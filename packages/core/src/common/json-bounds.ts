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
  // Paths are built only for the offender: request bodies are walked on every request.
  const stack: Level[] = [{ value, depth: 0, key: "", up: undefined }];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const v = top.value;
    if (typeof v === "string") {
      if (options.storable && !storableText(v))
        return { path: pathOf(top), message: STORABLE_MESSAGE };
      continue;
    }
    if (v === null || typeof v !== "object" || ArrayBuffer.isView(v)) continue;
    if (top.depth >= maxDepth) {
      return { path: pathOf(top), message: `nests deeper than ${maxDepth} levels (the limit)` };
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++)
        stack.push({ value: v[i], depth: top.depth + 1, key: i, up: top });
      continue;
    }
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      const child: Level = {
        value: (v as Record<string, unknown>)[key],
        depth: top.depth + 1,
        key,
        up: top,
      };
      if (options.storable && !storableText(key))
        return { path: pathOf(child), message: `key ${STORABLE_MESSAGE}` };
      stack.push(child);
    }
  }
  return undefined;
}

interface Level {
  readonly value: unknown;
  readonly depth: number;
  readonly key: string | number;
  readonly up: Level | undefined;
}

function pathOf(level: Level): string {
  const keys: (string | number)[] = [];
  for (let l: Level | undefined = level; l?.up; l = l.up) keys.push(l.key);
  return keys.reverse().join(".");
}
