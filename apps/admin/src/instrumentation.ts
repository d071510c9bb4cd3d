/**
 * Runs once when the server starts. A bad environment stops the server here,
 * naming each bad variable, instead of failing on the first request.
 */
export async function register(): Promise<void> {
  try {
    await import("./env");
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
