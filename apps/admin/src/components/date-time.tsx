import { formatDateTime, formatTime } from "@/lib/format";

/** A UTC time; `seconds` shows the time of day to the second (for leases and heartbeats). */
export function DateTime({
  iso,
  seconds = false,
}: {
  readonly iso: string;
  readonly seconds?: boolean;
}) {
  return <time dateTime={iso}>{seconds ? formatTime(iso) : formatDateTime(iso)}</time>;
}
