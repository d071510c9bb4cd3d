const TONE: Record<string, string> = {
  alive: "ok",
  suspect: "warn",
  draining: "warn",
  dead: "bad",
};

export function NodeStatusBadge({ status }: { readonly status: string }) {
  return <span className={`badge badge-${TONE[status] ?? "warn"}`}>{status}</span>;
}
