import { DateTime } from "@/components/date-time";
import { formatBytes, formatNumber } from "@/lib/format";
import { type StreamDetail } from "@/lib/operator-types";

const LIMITS: readonly [string, string, (v: number) => string][] = [
  ["max_messages", "Max messages", formatNumber],
  ["max_bytes", "Max bytes", formatBytes],
  ["max_age_seconds", "Max age", (v) => `${formatNumber(v)} s`],
  ["max_message_bytes", "Max message size", formatBytes],
];

export function StreamFacts({ stream }: { readonly stream: StreamDetail }) {
  const c = stream.config;
  return (
    <div className="grid">
      <section className="card" aria-labelledby="counters-title">
        <h2 id="counters-title">Counters</h2>
        <dl className="facts">
          <dt>Messages</dt>
          <dd>{formatNumber(stream.messages)}</dd>
          <dt>Seq range</dt>
          <dd>
            {stream.first_seq > stream.last_seq
              ? `empty (next seq ${formatNumber(stream.last_seq + 1)})`
              : `${formatNumber(stream.first_seq)} – ${formatNumber(stream.last_seq)}`}
          </dd>
          <dt>Bytes</dt>
          <dd>{formatBytes(stream.bytes)}</dd>
          <dt>Tiers</dt>
          <dd data-testid="stream-tiers">
            {stream.tiers ? (
              <>
                hot {formatNumber(stream.tiers.hot.messages)} messages (
                {formatBytes(stream.tiers.hot.bytes)}) · cold{" "}
                {formatNumber(stream.tiers.cold.messages)} messages in{" "}
                {formatNumber(stream.tiers.cold.segments)} segment
                {stream.tiers.cold.segments === 1 ? "" : "s"} (
                {formatBytes(stream.tiers.cold.object_bytes)} stored)
              </>
            ) : (
              <span className="muted">tiering figures are not available on this API</span>
            )}
          </dd>
          <dt>Owner</dt>
          <dd>
            {stream.owner?.node_id ? (
              <>
                <code>{stream.owner.node_id}</code>, epoch {stream.owner.epoch}
              </>
            ) : (
              <span className="muted">none yet (claimed on the next write)</span>
            )}
          </dd>
          <dt>Created</dt>
          <dd>
            <DateTime iso={stream.created_at} />
          </dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="config-title">
        <h2 id="config-title">Config</h2>
        <dl className="facts">
          {LIMITS.map(([key, label, format]) => (
            <div key={key} className="facts-row">
              <dt>{label}</dt>
              <dd>
                {typeof c[key] === "number" ? (
                  format(c[key])
                ) : (
                  <span className="muted">unlimited</span>
                )}
              </dd>
            </div>
          ))}
          <dt>Discard</dt>
          <dd>{String(c.discard ?? "old")}</dd>
          <dt>Dedup window</dt>
          <dd>{String(c.dedup_window_seconds ?? "—")} s</dd>
          <dt>Default ack</dt>
          <dd>{String(c.ack ?? "durable")}</dd>
        </dl>
      </section>
    </div>
  );
}
