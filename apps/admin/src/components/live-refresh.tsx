"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Re-renders the page's server components every `intervalMs` while the tab
 * is visible, so tables stay current without a reload (scroll and focus kept).
 */
export function LiveRefresh({ intervalMs = 2000 }: { readonly intervalMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [router, intervalMs]);
  return (
    <p className="muted small live-note" aria-live="off">
      <span className="live-dot" aria-hidden="true" /> Live: updates every{" "}
      {Math.round(intervalMs / 100) / 10} s
    </p>
  );
}
