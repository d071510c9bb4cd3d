import { type ChildProcess, spawn } from "node:child_process";

const KEEP_LINES = 200;
const running = new Set<ChildProcess>();

/** A server started for a test: its output is kept so a failure can show why it died. */
export class TestProcess {
  private readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim()) this.lines.push(line);
      }
      this.lines.splice(0, Math.max(0, this.lines.length - KEEP_LINES));
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        running.delete(child);
        this.exitCode = code ?? (signal ? -1 : null);
        resolve(this.exitCode);
      });
    });
  }

  /**
   * Starts `command` in its own process group, so stop() also ends whatever it
   * forks (next start runs the server in a child process).
   */
  static start(
    name: string,
    command: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv },
  ): TestProcess {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    running.add(child);
    return new TestProcess(name, child);
  }

  get output(): string {
    return this.lines.join("\n");
  }

  /** Polls `url` until `ready` accepts the response; fails at once if the process dies. */
  async waitForHttp(
    url: string,
    ready: (res: Response) => boolean,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer yet";
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined) {
        throw new Error(
          `${this.name} exited with code ${this.exitCode} before ${url} was ready:\n${this.output}`,
        );
      }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000), redirect: "manual" });
        if (ready(res)) return;
        last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `${this.name}: ${url} not ready after ${timeoutMs} ms (${last}). Output:\n${this.output}`,
    );
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.exitCode !== undefined) return;
    signalGroup(this.child, "SIGTERM");
    const timer = setTimeout(() => signalGroup(this.child, "SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

// If the test worker exits without afterAll (a crash, a timeout), take the servers with it.
process.on("exit", () => {
  for (const child of running) signalGroup(child, "SIGKILL");
});
