import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@strata/db/embedded";
import { type Browser, chromium, type Page } from "playwright-core";
import { ApiCluster } from "./api-cluster";
import { TestProcess } from "./child-process";

const ADMIN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ROOT = resolve(ADMIN_DIR, "../..");
const NEXT_BIN = [ADMIN_DIR, ROOT]
  .map((dir) => join(dir, "node_modules/.bin/next"))
  .find((file) => existsSync(file));
const CHROMIUM = "/usr/bin/chromium";
export const SCREENSHOTS = join(ADMIN_DIR, "test-results/screenshots");

/**
 * A real cluster of API node processes (ApiCluster: one fresh database, one
 * Redis namespace, short leases) with the built admin in front of node 0 and a
 * headless Chromium signed out, as a file's tests share them.
 */
export class DashboardHarness {
  private constructor(
    readonly cluster: ApiCluster,
    readonly admin: TestProcess,
    readonly adminUrl: string,
    readonly browser: Browser,
    readonly page: Page,
    readonly pageErrors: string[],
  ) {}

  static async start(nodes: number): Promise<DashboardHarness> {
    if (!existsSync(CHROMIUM)) throw new Error("Chromium is missing: apt-get install -y chromium");
    for (const [file, what] of [
      [join(ROOT, "apps/api/dist/main.js"), "the API"],
      [join(ADMIN_DIR, ".next/BUILD_ID"), "the admin"],
    ] as const) {
      if (!existsSync(file))
        throw new Error(`${file} is missing: build ${what} first (npx turbo run build).`);
    }
    if (!NEXT_BIN)
      throw new Error("next is not installed: run npm install in the repository root.");
    mkdirSync(SCREENSHOTS, { recursive: true });

    const cluster = await ApiCluster.start(nodes);
    const adminPort = await freePort();
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    const admin = TestProcess.start(
      "admin",
      NEXT_BIN,
      ["start", "-H", "127.0.0.1", "-p", String(adminPort)],
      {
        cwd: ADMIN_DIR,
        env: {
          ...process.env,
          NODE_ENV: "production",
          STRATA_API_URL: cluster.nodes[0]!.base,
          NEXT_TELEMETRY_DISABLED: "1",
        },
      },
    );
    try {
      await admin.waitForHttp(`${adminUrl}/login`, (res) => res.status === 200, 30_000);
    } catch (err) {
      await cluster.close();
      throw err;
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: adminUrl });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    return new DashboardHarness(cluster, admin, adminUrl, browser, page, pageErrors);
  }

  /** The operator token of the cluster (what the login form takes). */
  get token(): string {
    return this.cluster.adminToken;
  }

  /** A full-page screenshot (`cluster-<name>.png`), the mouse out of the way (no hover tooltips). */
  async shot(name: string): Promise<Buffer> {
    await this.page.mouse.move(0, 0);
    return this.page.screenshot({
      path: join(SCREENSHOTS, `cluster-${name}.png`),
      fullPage: true,
    });
  }

  /** Signs in through the login form and waits for the overview. */
  async signIn(): Promise<void> {
    await this.goto("/login");
    await this.page.getByLabel("Operator token").fill(this.token);
    await this.page.getByRole("button", { name: "Sign in" }).click();
    await this.page.waitForURL((url) => url.pathname === "/");
  }

  /** The stream's owner node and epoch, as the tenant API reports them. */
  async ownerOf(stream: string, key: string): Promise<{ node_id: string; epoch: number }> {
    const info = await this.api<{ owner: { node_id: string; epoch: number } }>(
      "GET",
      `/v1/streams/${stream}`,
      undefined,
      { key },
    );
    return info.body.owner;
  }

  async goto(path: string): Promise<void> {
    await this.page.goto(`${this.adminUrl}${path}`);
  }

  /** `Authorization: Bearer` JSON call to a node (operator token unless `key` is given). */
  async api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    options: { node?: number; key?: string; raw?: boolean } = {},
  ): Promise<{ status: number; body: T }> {
    const base = this.cluster.nodes[options.node ?? 0]!.base;
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.key ?? this.token}`,
        ...(body === undefined
          ? {}
          : { "content-type": options.raw ? "application/octet-stream" : "application/json" }),
      },
      body: body === undefined ? undefined : options.raw ? String(body) : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {});
    await this.admin.stop();
    await this.cluster.close();
  }
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
