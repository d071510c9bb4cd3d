import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpClient } from "./http.js";
import { sleep } from "./load.js";
import { freePort } from "@strata/db/embedded";
import { cpuSeconds, rssBytes } from "./proc.js";

/** The built API entry point, next to this file's dist/bench/. */
export const API_MAIN = fileURLToPath(new URL("../../main.js", import.meta.url));

export interface StartOptions {
  readonly databaseUrl: string;
  /** Write a V8 CPU profile of the server into this directory when it exits. */
  readonly cpuProfileDir?: string;
  /** Extra environment (e.g. STRATA_COMMIT_BATCH). */
  readonly env?: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

export interface TenantKey {
  readonly tenantId: string;
  readonly secret: string;
}

/** Group-commit counters of a node, as /metrics shows them (NaN when unreadable). */
export interface CommitTotals {
  /** Transactions of every result, and the messages in them. */
  readonly commits: number;
  readonly messages: number;
  /** Committed transactions, and the seconds they took. */
  readonly committed: number;
  readonly seconds: number;
}

/** A Strata API node running as a child process (`node apps/api/dist/main.js`). */
export class StrataServer {
  private log = "";

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly adminToken: string,
    private readonly dataDir: string,
  ) {
    const keep = (d: Buffer) => {
      this.log = (this.log + d.toString("utf8")).slice(-20_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
  }

  static async start(o: StartOptions): Promise<StrataServer> {
    const port = await freePort();
    const adminToken = `bench-${randomBytes(16).toString("hex")}`;
    const dataDir = mkdtempSync(join(tmpdir(), "strata-bench-"));
    const args: string[] = [];
    if (o.cpuProfileDir) {
      mkdirSync(o.cpuProfileDir, { recursive: true });
      args.push("--cpu-prof", `--cpu-prof-dir=${o.cpuProfileDir}`);
    }
    const child = spawn(process.execPath, [...args, API_MAIN], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? tmpdir(),
        DATABASE_URL: o.databaseUrl,
        STRATA_PORT: String(port),
        STRATA_HOST: "127.0.0.1",
        STRATA_ADMIN_TOKEN: adminToken,
        STRATA_LOG_LEVEL: "warn",
        STRATA_DEMO: "false",
        STRATA_DATA_DIR: dataDir,
        // Settings under test: STRATA_* in the bench's own environment reach the server.
        ...Object.fromEntries(
          Object.entries(process.env).filter(
            ([k]) => k.startsWith("STRATA_") && k !== "STRATA_PORT",
          ),
        ),
        ...o.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server = new StrataServer(child, port, adminToken, dataDir);
    await server.waitReady(o.readyTimeoutMs ?? 30_000);
    return server;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The last 20 KB the server printed. */
  output(): string {
    return this.log;
  }

  rss(): number {
    return rssBytes(this.pid);
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  /** Group-commit totals from /metrics: transactions, messages in them, seconds spent. */
  async commitTotals(): Promise<CommitTotals> {
    // A figure for the note only: an unreadable /metrics must not stop the case.
    const text = await fetch(`${this.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${this.adminToken}` },
    }).then(
      (res) => (res.ok ? res.text() : ""),
      () => "",
    );
    const metric = (name: string) => {
      const m = new RegExp(`^${name}(?:\\{[^}]*result="ok"[^}]*\\})? ([0-9.e+-]+)$`, "m").exec(
        text,
      );
      return m ? Number(m[1]) : NaN;
    };
    return {
      commits: metric("strata_stream_commit_batch_messages_count"),
      messages: metric("strata_stream_commit_batch_messages_sum"),
      committed: metric("strata_stream_commit_seconds_count"),
      seconds: metric("strata_stream_commit_seconds_sum"),
    };
  }

  /** A fresh tenant and a key with the given scopes. */
  async tenantKey(name: string, scopes: readonly string[]): Promise<TenantKey> {
    const admin = new HttpClient(this.baseUrl, { authorization: `Bearer ${this.adminToken}` }, 2);
    try {
      const tenant = await admin.json<{ id: string }>("POST", "/v1/admin/tenants", { name });
      const key = await admin.json<{ secret: string }>(
        "POST",
        `/v1/admin/tenants/${tenant.id}/keys`,
        { name: `${name}-key`, scopes },
      );
      return { tenantId: tenant.id, secret: key.secret };
    } finally {
      admin.close();
    }
  }

  /** Sets a tenant's quotas (`PUT /v1/admin/tenants/{id}/quotas`). */
  async setQuotas(tenantId: string, quotas: Record<string, number>): Promise<void> {
    const admin = new HttpClient(this.baseUrl, { authorization: `Bearer ${this.adminToken}` }, 1);
    try {
      await admin.json("PUT", `/v1/admin/tenants/${tenantId}/quotas`, quotas);
    } finally {
      admin.close();
    }
  }

  /** kill -9, as a crash would. */
  kill(): void {
    this.child.kill("SIGKILL");
  }

  /** SIGTERM (so a CPU profile gets written), then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
      this.child.kill("SIGTERM");
      const timedOut = await Promise.race([
        exited.then(() => false),
        sleep(graceMs).then(() => true),
      ]);
      if (timedOut) {
        this.child.kill("SIGKILL");
        await exited;
      }
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null) {
        throw new Error(`Strata exited (${this.child.exitCode}) while starting:\n${this.log}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/health/ready`);
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.stop(1000);
        throw new Error(`Strata was not ready within ${timeoutMs} ms:\n${this.log}`);
      }
      await sleep(100);
    }
  }
}
