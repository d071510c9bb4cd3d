const dateTime = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

/** `31 Jan 2025, 12:00 UTC`; the server renders, so one fixed zone keeps output stable. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${dateTime.format(date)} UTC`;
}

/** `3 d 4 h`, `5 min`: how long ago `iso` was, to the two largest units. */
export function formatAge(iso: string, now: Date = new Date()): string {
  let seconds = Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / 1000));
  if (Number.isNaN(seconds)) return "";
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["min", 60],
  ] as const) {
    if (seconds >= size) {
      parts.push(`${Math.floor(seconds / size)} ${unit}`);
      seconds %= size;
    }
  }
  return parts.slice(0, 2).join(" ") || "less than a minute";
}

const integer = new Intl.NumberFormat("en-GB");

/** `12,345` */
export function formatNumber(n: number): string {
  return integer.format(n);
}

/** `1.5 MiB`: binary units, one decimal above KiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, bytes || 0)} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `850 ms`, `4.2 s`, `3 min` — for ages measured by the database clock. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatAge(new Date(Date.now() - ms).toISOString());
}

/** `12:00:05 UTC` */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(11, 19)} UTC`;
}

/** `0.02/s`, `1.5/s`, `1,250/s`: two decimals below 1, one below 100, whole numbers above. */
export function formatRate(perSecond: number, unit = ""): string {
  const n = Math.max(0, perSecond || 0);
  const digits = n >= 100 ? 0 : n >= 1 ? 1 : 2;
  const shown = digits === 0 ? formatNumber(Math.round(n)) : String(Number(n.toFixed(digits)));
  return `${shown}${unit ? ` ${unit}` : ""}/s`;
}
