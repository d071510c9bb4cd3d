import Link from "next/link";
import { type ReactNode } from "react";

/** The trail above a detail page: links up to the lists, then the page itself. */
export function Breadcrumb({
  trail,
  current,
}: {
  readonly trail: readonly { readonly href: string; readonly label: ReactNode }[];
  readonly current: ReactNode;
}) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <ol>
        {trail.map((step) => (
          <li key={step.href}>
            <Link href={step.href}>{step.label}</Link>
          </li>
        ))}
        <li aria-current="page">{current}</li>
      </ol>
    </nav>
  );
}
