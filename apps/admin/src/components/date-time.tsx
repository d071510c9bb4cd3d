import { formatDateTime } from "@/lib/format";

export function DateTime({ iso }: { readonly iso: string }) {
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}
