/**
 * SQLSTATEs after which the same request can simply be tried again: the
 * connection went away (class 08, an administrator or a restart ended the
 * backend: 57P01–57P03) or the transaction lost a race (40001, 40P01).
 * Nothing was committed by the failed statement's transaction.
 */
const TRANSIENT_SQLSTATES = new Set(["57P01", "57P02", "57P03", "40001", "40P01"]);

/** node-postgres' own errors for a connection lost or never made (they carry no SQLSTATE). */
const TRANSIENT_MESSAGES =
  /Connection terminated|connection error|Client was closed|timeout exceeded when trying to connect/i;
const TRANSIENT_SYSCALLS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);

/**
 * Is `err` a database failure that says nothing about the request itself,
 * so the client should retry (503) rather than see an internal error (500)?
 */
export function isTransientDatabaseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (code.startsWith("08") || TRANSIENT_SQLSTATES.has(code)) return true;
    if (TRANSIENT_SYSCALLS.has(code)) return true;
  }
  return TRANSIENT_MESSAGES.test(err.message);
}
