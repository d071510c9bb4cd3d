import { type Metadata } from "next";
import { LoginForm } from "@/features/auth/login-form";
import { safeNext } from "@/features/auth/session";
import { firstParam, type SearchParams } from "@/lib/search-params";

export const metadata: Metadata = { title: "Sign in" };

const REASONS: Record<string, string> = {
  expired: "The API no longer accepts the token of your session. Sign in again.",
};

export default async function LoginPage({
  searchParams,
}: {
  readonly searchParams: Promise<SearchParams>;
}) {
  const params = await searchParams;
  const reason = REASONS[firstParam(params.reason) ?? ""];
  return (
    <main id="main" className="login">
      <div className="card login-card">
        <h1>Strata admin</h1>
        <p className="muted">
          Sign in with the operator token to manage tenants and watch the cluster.
        </p>
        {reason && (
          <p className="notice notice-warning" role="status">
            {reason}
          </p>
        )}
        <LoginForm next={safeNext(firstParam(params.next))} />
      </div>
    </main>
  );
}
