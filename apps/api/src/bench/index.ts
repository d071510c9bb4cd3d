// `npm run bench -- <suite…> [--duration <s>] [--quick] [--only <ids>] [--profile]`
//
// Suites are files: `suites/<name>.ts` exporting `suite: Suite` (lib/types.ts).
// Adding one needs no change here; `--list` shows what is there.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { resultsMarkdown, resultsTable, targetsText } from "./lib/format.js";
import { type Suite, type SuiteContext, type SuiteResult } from "./lib/types.js";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SUITES_DIR = fileURLToPath(new URL("./suites/", import.meta.url));

const USAGE = `Usage: npm run bench -- <suite> [<suite>…] [options]

Options:
  --duration <s>   measured seconds per case, after a 1 s warm-up (default 10)
  --quick          smoke run: 2 s per case, 0.5 s warm-up (about a minute per suite)
  --only <ids>     comma-separated substrings of case ids to run (e.g. ws,raw)
  --profile        run the Strata server under --cpu-prof into bench-results/prof/
  --list           list the suites
Results: a table on stdout and bench-results/<suite>-<timestamp>.json (+ .md).`;

/** Modules in suites/ that export a `suite` (helper modules beside them are skipped). */
async function availableSuites(): Promise<Map<string, Suite>> {
  const found = new Map<string, Suite>();
  const files = readdirSync(SUITES_DIR).filter((f) => /^[a-z0-9-]+\.js$/.test(f));
  for (const file of files.sort()) {
    const mod = (await import(`./suites/${file}`)) as { suite?: Suite };
    if (mod.suite) found.set(file.slice(0, -3), mod.suite);
  }
  return found;
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/:/g, "-")
    .replace(/\.\d+Z$/, "Z");
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      duration: { type: "string" },
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      profile: { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const available = await availableSuites();
  const names = [...available.keys()].join(", ");
  if (values.list) {
    for (const [name, s] of available) console.log(`${name.padEnd(12)} ${s.description}`);
    return 0;
  }
  if (positionals.length === 0) {
    console.error(`${USAGE}\n\nAvailable suites: ${names}`);
    return 2;
  }
  const duration = values.duration !== undefined ? Number(values.duration) : undefined;
  if (duration !== undefined && !(duration > 0 && duration <= 600)) {
    console.error(
      `--duration must be a number of seconds between 0 and 600 (got ${values.duration})`,
    );
    return 2;
  }
  const unknown = positionals.filter((p) => !available.has(p));
  if (unknown.length) {
    console.error(`unknown suite ${unknown.map((u) => `"${u}"`).join(", ")}; available: ${names}`);
    return 2;
  }
  const suites = positionals.map((p) => available.get(p)!);
  const only = (values.only ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const resultsDir = join(REPO_ROOT, "bench-results");
  mkdirSync(resultsDir, { recursive: true });
  const started = Date.now();
  const ctx: SuiteContext = {
    durationMs: (duration ?? (values.quick ? 2 : 10)) * 1000,
    warmupMs: values.quick ? 500 : 1000,
    quick: values.quick,
    only,
    profile: values.profile,
    repoRoot: REPO_ROOT,
    resultsDir,
    log: (m) => console.error(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${m}`),
    selected: (id) => only.length === 0 || only.some((o) => id.includes(o)),
  };

  const busy = loadavg()[0]!;
  if (busy > 1) {
    ctx.log(
      `warning: 1-min load average is ${busy.toFixed(2)} before starting on ${cpus().length} cores; ` +
        "other processes will compete with the benchmark",
    );
  }
  let failed = false;
  for (const suite of suites) {
    const at = new Date();
    ctx.log(`suite ${suite.name}: ${suite.description}`);
    let result: SuiteResult;
    try {
      result = await suite.run(ctx);
    } catch (err) {
      failed = true;
      console.error(`suite ${suite.name} failed: ${(err as Error).stack ?? String(err)}`);
      continue;
    }
    const seconds = (Date.now() - at.getTime()) / 1000;
    result.notes.push(
      `1-min load average ${busy.toFixed(2)} before the run, ${loadavg()[0]!.toFixed(2)} after ` +
        `(${cpus().length} cores; above ~1 before means other work competed with the benchmark).`,
    );
    console.log(`\n== ${suite.name} (${seconds.toFixed(0)} s) ==\n`);
    console.log(resultsTable(result.rows));
    if (result.targets.length) console.log(`\nTargets:\n${targetsText(result.targets)}`);
    if (result.notes.length)
      console.log(`\nNotes:\n${result.notes.map((n) => `- ${n}`).join("\n")}`);
    const file = join(resultsDir, `${suite.name}-${stamp(at)}`);
    const host = {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryBytes: totalmem(),
      loadavgBeforeRun: busy,
      loadavgAfterRun: loadavg()[0],
      node: process.version,
    };
    const options = { durationMs: ctx.durationMs, warmupMs: ctx.warmupMs, quick: ctx.quick, only };
    const json = { suite: suite.name, startedAt: at.toISOString(), seconds, host, options };
    writeFileSync(`${file}.json`, JSON.stringify({ ...json, ...result }, null, 2) + "\n");
    const md = [resultsMarkdown(result.rows), "", targetsText(result.targets)];
    writeFileSync(`${file}.md`, md.join("\n") + "\n");
    console.log(`\nWrote ${file}.json`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error((err as Error).message ?? String(err));
    process.exit(2);
  },
);
