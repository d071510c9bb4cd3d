import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/** A port in 4600-4699 (the range this repo's tests may use) that is free right now. */
export async function freePortInRange(low = 4600, high = 4699): Promise<number> {
  const start = low + Math.floor(Math.random() * (high - low + 1));
  for (let i = 0; i <= high - low; i++) {
    const port = low + ((start - low + i) % (high - low + 1));
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${low}-${high}`);
}

export interface Running {
  readonly child: ChildProcess;
  output(): string;
  /** The exit code, or the signal's name. */
  readonly exited: Promise<number | string>;
}

export function run(
  file: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Running {
  const child = spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return { child, output: () => out, exited };
}

/** Polls `url` until it answers 200; fails early with the process's output if it exits. */
export async function waitForOk(url: string, proc: Running, timeoutMs = 30_000): Promise<Response> {
  const start = Date.now();
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return res;
    } catch {
      // not listening yet
    }
    if (proc.child.exitCode !== null || proc.child.signalCode !== null)
      throw new Error(`exited before ${url} answered 200:\n${proc.output()}`);
    if (Date.now() - start > timeoutMs)
      throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
