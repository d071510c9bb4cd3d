/** What every benchmark suite module exports (as `suite`); see ../index.ts. */
export interface Suite {
  readonly name: string;
  readonly description: string;
  run(ctx: SuiteContext): Promise<SuiteResult>;
}

export interface SuiteContext {
  /** Measured time per case, after the warm-up. */
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly quick: boolean;
  /** Run only the cases whose id contains one of these (empty: all). */
  readonly only: readonly string[];
  /** Start the Strata server with `--cpu-prof` into `<results>/prof`. */
  readonly profile: boolean;
  readonly repoRoot: string;
  readonly resultsDir: string;
  log(message: string): void;
  /** Whether the case with this id was selected by `--only`. */
  selected(caseId: string): boolean;
}

/** One line of the results table. */
export interface ResultRow {
  /** Stable id, e.g. `ws.append.200`; `--only` matches against it. */
  readonly id: string;
  readonly label: string;
  /** Value size in bytes, when the case has one. */
  readonly size?: number;
  readonly msgsPerSec?: number;
  readonly mbPerSec?: number;
  /** msgs/s divided by the raw Postgres ceiling for the same value size. */
  readonly ratio?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly p999Ms?: number;
  readonly note?: string;
  /** Anything else worth keeping in the JSON file (CPU, RSS, errors…). */
  readonly extra?: Readonly<Record<string, number | string | boolean | null>>;
}

export interface TargetCheck {
  readonly name: string;
  /** null: could not be measured in this run. */
  readonly pass: boolean | null;
  readonly detail: string;
}

export interface SuiteResult {
  readonly rows: ResultRow[];
  readonly targets: TargetCheck[];
  readonly notes: string[];
}
