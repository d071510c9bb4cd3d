"use client";

import Link from "next/link";
import { useEffect, useState } from "react";

interface Summary {
  readonly open: number;
  readonly unacknowledged: number;
  readonly split_brain: number;
}

/** Open alerts in the header, polled every 2 s; hidden when there are none. */
export function AlertBadge({ initial }: { readonly initial: Summary | null }) {
  const [summary, setSummary] = useState<Summary | null>(initial);
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      if (document.visibilityState !== "visible") return;
      try {
        const res = await fetch("/api/alerts/summary", { cache: "no-store" });
        if (res.ok && !stopped) setSummary((await res.json()) as Summary);
      } catch {
        // The next poll tries again; the badge keeps its last value.
      }
    };
    const timer = setInterval(() => void poll(), 2000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  if (!summary || summary.open === 0) return null;
  const severe = summary.split_brain > 0 || summary.unacknowledged > 0;
  return (
    <Link
      href="/alerts"
      className={`alert-badge ${severe ? "alert-badge-bad" : "alert-badge-warn"}`}
      aria-label={`${summary.open} open alert${summary.open === 1 ? "" : "s"}, ${summary.unacknowledged} not acknowledged`}
    >
      <span aria-hidden="true">⚠ {summary.open}</span>
      <span className="alert-badge-text" aria-hidden="true">
        open alert{summary.open === 1 ? "" : "s"}
      </span>
    </Link>
  );
}
