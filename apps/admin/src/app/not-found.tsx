import Link from "next/link";

export default function NotFound() {
  return (
    <main id="main" className="login">
      <div className="card login-card">
        <h1>Page not found</h1>
        <p>
          There is nothing at this address. Go to the <Link href="/">overview</Link>.
        </p>
      </div>
    </main>
  );
}
