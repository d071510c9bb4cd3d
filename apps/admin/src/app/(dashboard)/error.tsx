"use client";

/** Last resort for a bug while rendering; API failures are explained by the pages themselves. */
export default function DashboardError({
  error,
  retry,
}: {
  readonly error: unknown;
  readonly retry: () => void;
}) {
  const digest = error instanceof Error ? (error as Error & { digest?: string }).digest : undefined;
  return (
    <section className="notice notice-error" role="alert">
      <h1>Something went wrong</h1>
      <p>
        The page failed to render. Try again; if it keeps failing, the admin server&apos;s log has
        the details.
      </p>
      {digest && (
        <p className="muted small">
          Error digest <code>{digest}</code>
        </p>
      )}
      <button type="button" className="button" onClick={() => retry()}>
        Try again
      </button>
    </section>
  );
}
