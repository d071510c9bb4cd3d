import Link from "next/link";
import { type ReactNode } from "react";
import { NavLink } from "@/components/nav-link";
import { LogoutButton } from "@/features/auth/logout-button";
import { apiUrl } from "@/lib/admin-api";

/** Every signed-in page: header with navigation and sign-out, then the page. */
export default function DashboardLayout({ children }: { readonly children: ReactNode }) {
  return (
    <>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Strata admin
        </Link>
        <nav aria-label="Main">
          <ul className="nav">
            <li>
              <NavLink href="/">Overview</NavLink>
            </li>
            <li>
              <NavLink href="/tenants">Tenants</NavLink>
            </li>
          </ul>
        </nav>
        <div className="topbar-end">
          <span className="muted small" title="STRATA_API_URL">
            API <code>{apiUrl()}</code>
          </span>
          <LogoutButton />
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
