/** The quota fields in the order the dashboard shows them. */
export const QUOTA_FIELDS = [
  { name: "messages_per_second", label: "Messages per second" },
  { name: "stored_bytes", label: "Stored bytes" },
  { name: "connections", label: "Open connections" },
] as const;
