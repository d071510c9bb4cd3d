import { z } from "zod";

/**
 * Whether PostgreSQL can store `s` as `text` or inside `jsonb` exactly as
 * given: no NUL character (text refuses it, jsonb refuses `\u0000`) and no
 * lone UTF-16 surrogate (it would be altered to U+FFFD on the way to UTF-8,
 * and jsonb refuses its escape). One such string in a shared group-commit
 * transaction would fail every other tenant's writes in it.
 */
export function storableText(s: string): boolean {
  // The cheap test first: almost every string has neither a NUL nor a surrogate.
  return !SUSPICIOUS.test(s) || !UNSTORABLE.test(s);
}

// NUL is exactly the control character these look for.
// eslint-disable-next-line no-control-regex
const SUSPICIOUS = /[\u0000\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const STORABLE_MESSAGE = "must not contain NUL characters or unpaired surrogates";

/**
 * A string that reaches a `text` or `jsonb` column (a name, a cursor, an id):
 * refused at the edge, naming the field, instead of failing in PostgreSQL
 * (a 500, or a whole shared transaction).
 */
export function pgText(schema: z.ZodString = z.string()) {
  return schema.refine(storableText, { message: STORABLE_MESSAGE });
}
