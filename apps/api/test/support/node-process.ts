import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

export interface NodeProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

/** Runs the built API entry point with exactly the given environment (plus PATH/HOME). */
export function runNode(env: Record<string, string>): NodeProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return { child, output: () => out, exited };
}

/** Polls until `url` answers 200 or the deadline passes. */
export async function waitForOk(
  url: string,
  timeoutMs: number,
  proc?: NodeProcess,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return Date.now() - start;
    } catch {
      // not listening yet
    }
    if (proc && proc.child.exitCode !== null) {
      throw new Error(
        `process exited (${proc.child.exitCode}) before ${url} was ready:\n${proc.output()}`,
      );
    }
    if (Date.now() - start > timeoutMs)
      throw new Error(`${url} not ready within ${timeoutMs} ms:\n${proc?.output() ?? ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until the process has printed a line matching `pattern` (the node
 * prints its banner after it starts listening, so readiness comes first).
 */
export async function waitForOutput(
  proc: NodeProcess,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  const start = Date.now();
  for (;;) {
    const match = pattern.exec(proc.output());
    if (match) return match;
    if (proc.child.exitCode !== null)
      throw new Error(
        `process exited (${proc.child.exitCode}) before printing ${pattern}:\n${proc.output()}`,
      );
    if (Date.now() - start > timeoutMs)
      throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
