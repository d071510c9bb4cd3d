import Link from "next/link";
import { type ReactNode } from "react";
import { NavLink } from "@/components/nav-link";
import { AlertBadge } from "@/features/alerts/alert-badge";
import { LogoutButton } from "@/features/auth/logout-button";
import { apiUrl, load } from "@/lib/admin-api";
import "./dashboard.css";
import "./data-views.css";

const NAV = [
  ["/", "Overview"],
  ["/nodes", "Nodes"],
  ["/placement", "Placement"],
  ["/streams", "Streams"],
  ["/lag", "Lag"],
  ["/alerts", "Alerts"],
  ["/kv", "KV"],
  ["/documents", "Documents"],
  ["/tenants", "Tenants"],
  ["/jobs", "Jobs"],
] as const;

/** Every signed-in page: header with navigation, the open-alerts badge and sign-out, then the page. */
export default async function DashboardLayout({ children }: { readonly children: ReactNode }) {
  const alerts = await load((api) => api.alerts({ open: true, limit: 1000 }));
  const initial = alerts.ok
    ? {
        open: alerts.data.items.length,
        unacknowledged: alerts.data.items.filter((a) => !a.acknowledged_at).length,
        split_brain: alerts.data.items.filter((a) => a.kind === "split_brain").length,
      }
    : null;
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
            {NAV.map(([href, label]) => (
              <li key={href}>
                <NavLink href={href}>{label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-end">
          <AlertBadge initial={initial} />
          <span className="muted small api-url" title={`STRATA_API_URL: ${apiUrl()}`}>
            API <code>{new URL(apiUrl()).host}</code>
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
