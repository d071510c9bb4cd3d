import { readFileSync } from "node:fs";

/** Resident set size of a process in bytes (VmRSS from /proc), or NaN if unreadable. */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** User + system CPU seconds a process has used (from /proc/<pid>/stat; 100 ticks/s on Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start at state = field 3.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU used by this process and by `pid` while `work` runs, as % of one core. */
export async function withCpu<T>(
  pid: number | undefined,
  work: () => Promise<T>,
): Promise<{ value: T; clientCpuPct: number; serverCpuPct: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const s0 = pid !== undefined ? cpuSeconds(pid) : NaN;
  const value = await work();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const s1 = pid !== undefined ? cpuSeconds(pid) : NaN;
  return {
    value,
    clientCpuPct: ((c.user + c.system) / 1e6 / wall) * 100,
    serverCpuPct: ((s1 - s0) / wall) * 100,
  };
}
