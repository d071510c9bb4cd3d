import { type ReactNode } from "react";

/** Nothing to show, said as what it means and what to do about it. */
export function EmptyState({ children }: { readonly children: ReactNode }) {
  return (
    <section className="empty" role="status">
      {children}
    </section>
  );
}
