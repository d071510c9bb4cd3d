/**
 * What a log line may say about an error. Database errors carry the values of
 * the failed statement — drizzle's `DrizzleQueryError` puts its parameters in
 * `params` and in its message (`params: …`), PostgreSQL's `detail` quotes the
 * row or key (`Failing row contains (…)`, `Key (secret_hash)=(…)`), and some
 * messages quote the bad input — so a line could hold a key's secret hash, a
 * message payload or a document. Those values are replaced; the SQL text, the
 * SQLSTATE code, the constraint and the table stay, which is what an operator
 * needs to find the fault.
 */

export const REDACTED = "[redacted]";

/** Error fields that hold statement values, never logged. */
const VALUE_FIELDS = new Set(["params", "parameters", "values", "detail", "internalQuery"]);

/** Nested causes and objects deeper than this are not followed (cycles neither). */
const MAX_DEPTH = 5;

/**
 * Message parts that quote values: drizzle's `params: …` (to the end of the
 * message), PostgreSQL's input errors (`invalid input syntax for type uuid:
 * "…"`), and `Key (…)=(…)` / `Failing row contains (…)` when they reach a message.
 */
const VALUE_PATTERNS: readonly [RegExp, string][] = [
  [/\nparams: [\s\S]*$/, `\nparams: ${REDACTED}`],
  [
    /((?:invalid input syntax for (?:type )?[\w ]+|invalid input value for enum [\w.]+|value too long for type [\w ()]+|invalid byte sequence for encoding "[\w-]+")): [\s\S]*?(?=\n|$)/g,
    `$1: ${REDACTED}`,
  ],
  [
    /Key \(([^)]*)\)=\([\s\S]*?\)( already exists| is not present| conflicts)/g,
    `Key ($1)=(${REDACTED})$2`,
  ],
  [/Failing row contains \([\s\S]*?\)\.?(?=\n|$)/g, `Failing row contains (${REDACTED}).`],
];

/** The text with every value-quoting part replaced. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of VALUE_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * pino's `err` serializer: type, redacted message and stack, the error's own
 * scalar fields less the value-carrying ones, and its cause (redacted the same
 * way). Strings (an `err: e.message` field) are redacted as text.
 */
export function serializeError(err: unknown): unknown {
  return serialize(err, 0, new WeakSet());
}

function serialize(err: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof err === "string") return redactText(err);
  if (typeof err !== "object" || err === null) return err;
  if (seen.has(err) || depth > MAX_DEPTH) return "[circular or too deep]";
  seen.add(err);
  if (!(err instanceof Error)) return fields(err as Record<string, unknown>, depth, seen);
  const message = redactText(err.message);
  // The stack starts with the message; a stack that does not is redacted as a whole (over-eagerly:
  // `params: …` runs to the end of the text).
  const stack =
    err.stack === undefined
      ? undefined
      : err.message && err.stack.includes(err.message)
        ? err.stack.replace(err.message, message)
        : redactText(err.stack);
  const out: Record<string, unknown> = {
    type: err.constructor?.name ?? err.name,
    message,
    stack,
    ...fields(err as unknown as Record<string, unknown>, depth, seen),
  };
  // `cause` from `new Error(m, { cause })` is not enumerable, so it is read by name.
  if (err.cause !== undefined) out.cause = serialize(err.cause, depth + 1, seen);
  if (err instanceof AggregateError)
    out.errors = err.errors.map((e: unknown) => serialize(e, depth + 1, seen));
  return out;
}

function fields(
  obj: Record<string, unknown>,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === "message" || key === "stack" || key === "cause") continue;
    if (VALUE_FIELDS.has(key)) out[key] = value === undefined ? undefined : REDACTED;
    else if (typeof value === "string") out[key] = redactText(value);
    else if (typeof value === "object" && value !== null)
      out[key] = serialize(value, depth + 1, seen);
    else if (typeof value !== "function") out[key] = value;
  }
  return out;
}
