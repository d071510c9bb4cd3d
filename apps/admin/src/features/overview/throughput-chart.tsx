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
import { type Throughput, type ThroughputPoint } from "@/lib/operator-types";

const SERIES = [
  { key: "appends", label: "appends/s", color: "#1f5fd1" },
  { key: "deliveries", label: "deliveries/s", color: "#18a058" },
  { key: "errors", label: "errors/s", color: "#d03050" },
] as const;

const time = (t: number) => new Date(t).toISOString().slice(11, 19);

/** The cluster's throughput over the last two minutes, polled every 2 s. */
export function ThroughputChart() {
  const [data, setData] = useState<Throughput | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      if (document.visibilityState !== "visible") return;
      try {
        const res = await fetch("/api/throughput", { cache: "no-store" });
        if (!res.ok) throw new Error(`the dashboard server answered ${res.status}`);
        const body = (await res.json()) as Throughput;
        if (!stopped) {
          setData(body);
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
  }, []);

  const points = data?.total ?? [];
  const last: ThroughputPoint | undefined = points[points.length - 1];
  return (
    <section className="card" aria-labelledby="throughput-title">
      <h2 id="throughput-title">Throughput</h2>
      <p className="stat-row" role="status" aria-live="off">
        {SERIES.map((s) => (
          <span key={s.key}>
            <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
            {s.label} <strong>{last ? last[s.key] : "–"}</strong>
          </span>
        ))}
        {data && (
          <span className="muted small">
            {data.nodes.length} node{data.nodes.length === 1 ? "" : "s"} reporting
            {data.unreachable_nodes.length > 0 && `, ${data.unreachable_nodes.length} unreachable`}
          </span>
        )}
      </p>
      {error && (
        <p className="form-error" role="alert">
          Live figures unavailable: {error}. They resume by themselves once the API answers.
        </p>
      )}
      {!data && !error ? (
        <p className="muted" role="status">
          Loading live figures…
        </p>
      ) : points.length < 2 ? (
        <p className="muted">
          Collecting: nodes sample their counters once a second; the chart starts after two samples.
        </p>
      ) : (
        <div className="chart" aria-hidden="true">
          <ResponsiveContainer width="100%" height={220}>
            <LineChart
              data={points as ThroughputPoint[]}
              margin={{ top: 8, right: 16, left: 0, bottom: 0 }}
            >
              <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
              <XAxis dataKey="t" tickFormatter={time} minTickGap={40} fontSize={12} />
              <YAxis allowDecimals={false} fontSize={12} width={48} />
              <Tooltip labelFormatter={(t) => time(Number(t))} />
              <Legend />
              {SERIES.map((s) => (
                <Line
                  key={s.key}
                  type="monotone"
                  dataKey={s.key}
                  name={s.label}
                  stroke={s.color}
                  dot={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </section>
  );
}
