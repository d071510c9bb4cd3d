import { describe, expect, it } from "vitest";
import { isTransientDatabaseError } from "./transient-error.js";

const pgError = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe(isTransientDatabaseError.name, () => {
  it("treats lost connections and lost races as transient", () => {
    expect(isTransientDatabaseError(pgError("57P01", "terminating connection"))).toBe(true);
    expect(isTransientDatabaseError(pgError("08006"))).toBe(true);
    expect(isTransientDatabaseError(pgError("40001"))).toBe(true);
    expect(isTransientDatabaseError(pgError("ECONNREFUSED"))).toBe(true);
    expect(isTransientDatabaseError(new Error("Connection terminated unexpectedly"))).toBe(true);
  });

  it("leaves errors about the statement itself alone", () => {
    expect(isTransientDatabaseError(pgError("23505", "duplicate key"))).toBe(false);
    expect(isTransientDatabaseError(pgError("42P01", "relation does not exist"))).toBe(false);
    expect(isTransientDatabaseError(new Error("boom"))).toBe(false);
    expect(isTransientDatabaseError("Connection terminated")).toBe(false);
  });
});
