import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that we read. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
    };
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  readonly selfMs: number;
  readonly pct: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time by function (name, file:line). */
  readonly functions: ProfileEntry[];
  /** Self time by where the code lives: a package, node internals, Strata, GC, idle. */
  readonly areas: ProfileEntry[];
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith("node:")) return "node internals";
  const strata = /(apps|packages)\/([^/]+)\//.exec(url);
  if (strata) return `strata ${strata[1]}/${strata[2]}`;
  return url;
}

function shortUrl(url: string): string {
  return url
    .replace(/^file:\/\//, "")
    .replace(/^.*node_modules\//, "")
    .replace(/^.*\/(apps|packages)\//, "$1/");
}

function ranked(map: Map<string, number>, total: number, top: number): ProfileEntry[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, selfMs: us / 1000, pct: (us / total) * 100 }));
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const f = byId.get(id);
    if (!f) return;
    total += dt;
    const key = `${f.functionName || "(anonymous)"} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
    fns.set(key, (fns.get(key) ?? 0) + dt);
    const a = area(f.url, f.functionName);
    areas.set(a, (areas.get(a) ?? 0) + dt);
  });
  return {
    totalMs: total / 1000,
    functions: ranked(fns, total, top),
    areas: ranked(areas, total, top),
  };
}

export function formatProfile(s: ProfileSummary): string {
  const line = (e: ProfileEntry) =>
    `${e.pct.toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(0).padStart(7)} ms  ${e.name}`;
  return [
    `total ${(s.totalMs / 1000).toFixed(1)} s sampled`,
    "",
    "self time by area:",
    ...s.areas.map(line),
    "",
    "self time by function:",
    ...s.functions.map(line),
  ].join("\n");
}

/** `.cpuprofile` files in `dir` written after `since` (ms epoch), newest last. */
export function profilesSince(dir: string, since: number): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".cpuprofile"))
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).mtimeMs >= since)
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  } catch {
    return [];
  }
}

/**
 * Summarises the profiles written into `dir` since `since`: writes `<file>.txt`
 * beside each and returns short notes (the top areas) for the results.
 */
export function reportProfiles(dir: string, since: number, top = 8): string[] {
  return profilesSince(dir, since).map((file) => {
    const s = summarizeProfile(file, 30);
    writeFileSync(`${file}.txt`, formatProfile(s) + "\n");
    const areas = s.areas
      .slice(0, top)
      .map((a) => `${a.name} ${a.pct.toFixed(0)}%`)
      .join(", ");
    return `Server CPU profile ${file} (summary in .txt): ${areas}`;
  });
}
