import { type ResultRow, type TargetCheck } from "./types.js";

/** 123456 → "123.5K", 1234567 → "1.23M". */
export function fmtRate(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "–";
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}K`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)}K`;
  return n.toFixed(0);
}

export function fmtMBps(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(n >= 100 ? 0 : 1);
}

/** 0.7634 → "0.76×". */
export function fmtRatio(r: number | undefined): string {
  return r === undefined || !Number.isFinite(r) ? "–" : `${r.toFixed(2)}×`;
}

export function fmtMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "–";
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

export function fmtBytes(n: number | undefined): string {
  if (n === undefined) return "–";
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KiB`;
  return `${n} B`;
}

/** A plain-text table; numeric-looking cells are right-aligned. */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = (s: string) => /^[-–0-9.,]+[KM×]?$|^–$/.test(s) || /^\d+ (B|KiB|MiB)$/.test(s);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (numeric(c) && i > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const COLUMNS = [
  "case",
  "size",
  "msgs/s",
  "MB/s",
  "× raw PG",
  "p50 ms",
  "p99 ms",
  "p999 ms",
  "note",
];

function cells(r: ResultRow): string[] {
  return [
    r.label,
    r.size !== undefined ? fmtBytes(r.size) : "",
    fmtRate(r.msgsPerSec),
    fmtMBps(r.mbPerSec),
    fmtRatio(r.ratio),
    fmtMs(r.p50Ms),
    fmtMs(r.p99Ms),
    fmtMs(r.p999Ms),
    r.note ?? "",
  ];
}

export function resultsTable(rows: readonly ResultRow[]): string {
  return renderTable(COLUMNS, rows.map(cells));
}

/** The same table in Markdown, for docs/benchmarks.md. */
export function resultsMarkdown(rows: readonly ResultRow[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${COLUMNS.join(" | ")} |`,
    `|${COLUMNS.map((_, i) => (i === 0 || i === COLUMNS.length - 1 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(" | ")} |`),
  ].join("\n");
}

export function targetsText(targets: readonly TargetCheck[]): string {
  return targets
    .map((t) => `${t.pass === null ? "N/A " : t.pass ? "PASS" : "MISS"}  ${t.name} — ${t.detail}`)
    .join("\n");
}
