import { describe, expect, it } from "vitest";
import { REDACTED, redactText, serializeError } from "./log-redaction.js";

const HASH = "18aac9d8c8817a43a710867c434733c776c79388808ee2837b5d8ca752768608";

describe(redactText.name, () => {
  it("replaces the values PostgreSQL quotes in its messages and keeps the rest", () => {
    expect(redactText(`invalid input syntax for type uuid: "sk_${HASH}"`)).toBe(
      `invalid input syntax for type uuid: ${REDACTED}`,
    );
    expect(redactText(`Key (secret_hash)=(${HASH}) already exists.`)).toBe(
      `Key (secret_hash)=(${REDACTED}) already exists.`,
    );
    expect(redactText(`Failing row contains (1, ${HASH}, null).`)).toBe(
      `Failing row contains (${REDACTED}).`,
    );
    expect(redactText(`Failed query: select 1 where a = $1\nparams: ${HASH},x`)).toBe(
      `Failed query: select 1 where a = $1\nparams: ${REDACTED}`,
    );
    expect(redactText('relation "api_keys" does not exist')).toBe(
      'relation "api_keys" does not exist',
    );
  });
});

describe(serializeError.name, () => {
  it("drops statement values from the error, its fields and its cause", () => {
    const pgError = Object.assign(new Error('duplicate key value violates unique constraint "k"'), {
      code: "23505",
      constraint: "k",
      detail: `Key (secret_hash)=(${HASH}) already exists.`,
    });
    const err = Object.assign(
      new Error(`Failed query: insert into t values ($1)\nparams: ${HASH}`),
      {
        query: "insert into t values ($1)",
        params: [HASH],
        cause: pgError,
      },
    );
    const out = serializeError(err) as Record<string, unknown>;
    expect(JSON.stringify(out)).not.toContain(HASH);
    expect(out).toMatchObject({
      query: "insert into t values ($1)",
      params: REDACTED,
      cause: { code: "23505", constraint: "k", detail: REDACTED },
    });
    expect(out.stack).toMatch(
      /^Error: Failed query: insert into t values \(\$1\)\nparams: \[redacted\]\n {4}at /,
    );
  });

  it("redacts a bare message string and survives cycles", () => {
    expect(serializeError(`x\nparams: ${HASH}`)).toBe(`x\nparams: ${REDACTED}`);
    const a = new Error("a") as Error & { self?: unknown };
    a.self = a;
    expect(() => JSON.stringify(serializeError(a))).not.toThrow();
  });
});
