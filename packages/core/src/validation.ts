import { type z } from "zod";
import { type FieldIssue, ValidationFailed } from "./errors.js";

/** Turns zod issues into field issues with dotted paths, prefixed by where the value came from. */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[], prefix = ""): FieldIssue[] {
  const join = (...parts: string[]) => parts.filter(Boolean).join(".");
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join(".");
    // One issue per unknown field, so each is named where it is.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: join(prefix, path, key),
        message: "is not a known field",
      }));
    }
    return [{ path: join(prefix, path), message: issue.message }];
  });
}

/**
 * Parses `input` with `schema` or throws ValidationFailed naming each bad field.
 * `where` names the source when the value is not the body (`query`, a header name).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where = "",
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationFailed(toFieldIssues(result.error.issues, where));
  return result.data;
}
