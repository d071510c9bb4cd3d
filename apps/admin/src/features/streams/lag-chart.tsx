"use client";

import { useEffect, useState } from "react";
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

interface Sample {
  readonly t: number;
  readonly head: number;
  readonly consumers: readonly { name: string; lag: number }[];
}

const COLORS = ["#1f5fd1", "#d03050", "#18a058", "#f0a020", "#7c3aed", "#0e7490"];
/** Five minutes at one sample every 2 s. */
const KEEP = 150;
const time = (t: number) => new Date(t).toISOString().slice(11, 19);

/**
 * Each consumer's lag since this page was opened, sampled every 2 s: a lag
 * that only grows is a consumer that stopped.
 */
export function LagChart({ tenant, name }: { readonly tenant: string; readonly name: string }) {
  const [samples, setSamples] = useState<Sample[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      if (document.visibilityState !== "visible") return;
      try {
        const res = await fetch(`/api/streams/lag?${new URLSearchParams({ tenant, name })}`, {
          cache: "no-store",
        });
        if (!res.ok) throw new Error(`the dashboard server answered ${res.status}`);
        const sample = (await res.json()) as Sample;
        if (!stopped) {
          setSamples((list) => [...list, sample].slice(-KEEP));
          setError(null);
        }
      } catch (err) {
        if (!stopped) setError((err as Error).message);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), 2000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [tenant, name]);

  const names = [...new Set(samples.flatMap((s) => s.consumers.map((c) => c.name)))];
  const rows = samples.map((s) => ({
    t: s.t,
    ...Object.fromEntries(s.consumers.map((c) => [c.name, c.lag])),
  }));
  return (
    <div className="card">
      <h3>Lag over time</h3>
      {error && (
        <p className="form-error" role="alert">
          Live lag unavailable: {error}.
        </p>
      )}
      {rows.length < 2 ? (
        <p className="muted small" role="status">
          Sampling every 2 s since you opened this page…
        </p>
      ) : (
        <div className="chart" aria-hidden="true">
          <ResponsiveContainer width="100%" height={200}>
            <LineChart data={rows} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
              <XAxis dataKey="t" tickFormatter={time} minTickGap={40} fontSize={12} />
              <YAxis allowDecimals={false} fontSize={12} width={56} />
              <Tooltip labelFormatter={(t) => time(Number(t))} />
              <Legend />
              {names.map((n, i) => (
                <Line
                  key={n}
                  type="stepAfter"
                  dataKey={n}
                  stroke={COLORS[i % COLORS.length]}
                  dot={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </div>
  );
}
