"use client";

import { useEffect, useState } from "react";
import { type KvChange } from "@/lib/operator-types";

const KEEP = 50;

const decode = (b64: string | null) => {
  if (b64 === null) return "";
  const text = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
};

/** The bucket's changes as they happen (Server-Sent Events through the dashboard server). */
export function KvWatch({
  tenant,
  bucket,
  prefix,
}: {
  readonly tenant: string;
  readonly bucket: string;
  readonly prefix?: string;
}) {
  const [changes, setChanges] = useState<KvChange[]>([]);
  const [status, setStatus] = useState<"connecting" | "live" | "retrying">("connecting");
  const [on, setOn] = useState(true);
  useEffect(() => {
    if (!on) return;
    const q = new URLSearchParams({ tenant, bucket, ...(prefix ? { prefix } : {}) });
    const source = new EventSource(`/api/kv/watch?${q}`);
    source.onopen = () => setStatus("live");
    source.onerror = () => setStatus("retrying");
    source.onmessage = (e: MessageEvent<string>) => {
      const change = JSON.parse(e.data) as KvChange;
      setChanges((list) => [change, ...list].slice(0, KEEP));
    };
    return () => source.close();
  }, [tenant, bucket, prefix, on]);
  return (
    <section className="card" aria-labelledby="watch-title">
      <div className="page-head">
        <h2 id="watch-title">Live watch{prefix ? ` of “${prefix}”` : ""}</h2>
        <button
          type="button"
          className="button button-quiet button-small"
          onClick={() => setOn(!on)}
        >
          {on ? "Pause" : "Resume"}
        </button>
      </div>
      <p className="muted small" role="status">
        {!on
          ? "Paused."
          : status === "live"
            ? "Watching: changes appear here as they are committed."
            : status === "connecting"
              ? "Connecting…"
              : "Connection lost; retrying…"}
      </p>
      {changes.length === 0 ? (
        <p className="muted">No changes since you opened this page.</p>
      ) : (
        <ol className="watch-list" aria-label="Changes, newest first" aria-live="polite">
          {changes.map((c) => (
            <li key={`${c.revision}/${c.key}`}>
              <span className="muted">rev {c.revision}</span>{" "}
              <span className={`badge badge-${c.op === "put" ? "ok" : "warn"}`}>{c.op}</span>{" "}
              <code>{c.key}</code>{" "}
              {c.op === "put" && <code className="muted">{decode(c.value_base64)}</code>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
