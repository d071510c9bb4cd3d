import { type ApiFailure } from "@/lib/admin-api";

/** A failed API call, said plainly with what to do next. */
export function ApiFailureNotice({ failure }: { readonly failure: ApiFailure }) {
  return (
    <section className="notice notice-error" role="alert">
      <h2>{failure.title}</h2>
      <p>{failure.message}</p>
      {failure.hint && <p>{withCode(failure.hint)}</p>}
      {(failure.code || failure.requestId) && (
        <p className="muted small">
          {failure.code && (
            <>
              Code <code>{failure.code}</code>
            </>
          )}
          {failure.code && failure.requestId && " · "}
          {failure.requestId && (
            <>
              Request id <code>{failure.requestId}</code>
            </>
          )}
        </p>
      )}
    </section>
  );
}

/** Renders `backticked` parts of a hint as code. */
function withCode(text: string) {
  return text.split("`").map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}
