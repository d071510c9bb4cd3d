import { type Health, type HealthChecks } from "@strata/client";

/** The one-line answer to "is the API serving?", then each check behind it. */
export function Readiness({ health }: { readonly health: Health }) {
  const ready = health.status === "ready";
  return (
    <section className="card" aria-labelledby="readiness-title">
      <h2 id="readiness-title">Readiness</h2>
      <p className={`banner ${ready ? "banner-ok" : "banner-bad"}`} role="status">
        <span className="dot" aria-hidden="true" />
        {ready ? "API ready" : "API not ready"}
        <span className="muted small">
          {ready
            ? " — every check passes; the node takes traffic."
            : " — the node refuses traffic until the failing checks below pass."}
        </span>
      </p>
      <ChecksTable checks={health.checks} />
    </section>
  );
}

function ChecksTable({ checks }: { readonly checks: HealthChecks }) {
  return (
    <table className="table">
      <caption className="visually-hidden">Readiness checks</caption>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Result</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(checks).map(([name, result]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>
              <span className={`badge ${result === "ok" ? "badge-ok" : "badge-bad"}`}>
                {result}
              </span>
              {hint(name, result)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function hint(name: string, result: string) {
  if (result === "ok") return null;
  if (name === "migrations") {
    return (
      <span className="muted small">
        {" "}
        Run <code>npm run db:migrate</code>.
      </span>
    );
  }
  if (name === "database") {
    return (
      <span className="muted small">
        {" "}
        Check that PostgreSQL runs and DATABASE_URL points at it.
      </span>
    );
  }
  return null;
}
