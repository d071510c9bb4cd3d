/** How each alert kind is named and how loud it is. */
export const ALERT_LABELS: Record<string, { label: string; tone: "bad" | "warn" }> = {
  split_brain: { label: "Split brain", tone: "bad" },
  fenced_write: { label: "Fenced write", tone: "bad" },
  node_down: { label: "Node down", tone: "bad" },
  lag: { label: "Lag", tone: "warn" },
  job_failed: { label: "Job failed", tone: "warn" },
  tier_corrupt: { label: "Tier corrupt", tone: "bad" },
};

export function alertLabel(kind: string): { label: string; tone: "bad" | "warn" } {
  return ALERT_LABELS[kind] ?? { label: kind.replace(/_/g, " "), tone: "warn" };
}
