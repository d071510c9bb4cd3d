import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { StrataAdminClient, type Tenant } from "@strata/client";
import { freePort } from "@strata/db/embedded";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestProcess } from "./support/child-process";

const ADMIN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = resolve(ADMIN_DIR, "../..");
const API_MAIN = join(ROOT, "apps/api/dist/main.js");
/** npm hoists next to the root; a nested install would put it beside the app. */
const NEXT_BIN = [ADMIN_DIR, ROOT]
  .map((dir) => join(dir, "node_modules/.bin/next"))
  .find((file) => existsSync(file));
const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = join(ADMIN_DIR, "test-results/screenshots");
/** For expect.poll: pages stream, so content lands a little after navigation ends. */
const WAIT = { timeout: 10_000 };

/**
 * The dashboard in a real browser against a real API and database: the
 * built API (`apps/api/dist`) and the built admin (`.next`) run as child
 * processes, exactly as `npm start` runs them.
 */
describe("admin dashboard in a browser", { timeout: 60_000 }, () => {
  const token = `st_admin_e2e_${randomBytes(16).toString("hex")}`;
  const processes: TestProcess[] = [];
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let api: TestProcess;
  let apiUrl: string;
  let adminUrl: string;
  let tenant: Tenant;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error("Chromium is missing: apt-get install -y chromium");
    for (const [file, what] of [
      [API_MAIN, "the API"],
      [join(ADMIN_DIR, ".next/BUILD_ID"), "the admin"],
    ] as const) {
      if (!existsSync(file))
        throw new Error(`${file} is missing: build ${what} first (npx turbo run build).`);
    }
    if (!NEXT_BIN)
      throw new Error("next is not installed: run npm install in the repository root.");
    mkdirSync(SCREENSHOTS, { recursive: true });

    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), "strata-admin-e2e-"));
    const [apiPort, adminPort] = [await freePort(), await freePort()];
    apiUrl = `http://127.0.0.1:${apiPort}`;
    adminUrl = `http://127.0.0.1:${adminPort}`;

    api = TestProcess.start("api", process.execPath, [API_MAIN], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_URL: db.url,
        STRATA_HOST: "127.0.0.1",
        STRATA_PORT: String(apiPort),
        STRATA_ADMIN_TOKEN: token,
        STRATA_ADMIN_URL: adminUrl,
        STRATA_DATA_DIR: dataDir,
        STRATA_LOG_LEVEL: "warn",
        STRATA_DEMO: "false",
      },
    });
    processes.push(api);
    await api.waitForHttp(`${apiUrl}/health/ready`, (res) => res.status === 200, 30_000);

    const client = new StrataAdminClient({ baseUrl: apiUrl, token });
    tenant = await client.createTenant("acme-e2e");
    await client.createTenant("beta-e2e");
    await client.createTenant("gamma-e2e");
    await client.createKey(tenant.id, {
      name: "ci",
      scopes: ["streams:read"],
      patterns: ["orders.>"],
    });

    const admin = TestProcess.start(
      "admin",
      NEXT_BIN,
      ["start", "-H", "127.0.0.1", "-p", String(adminPort)],
      {
        cwd: ADMIN_DIR,
        env: {
          ...process.env,
          NODE_ENV: "production",
          STRATA_API_URL: apiUrl,
          NEXT_TELEMETRY_DISABLED: "1",
        },
      },
    );
    processes.push(admin);
    await admin.waitForHttp(`${adminUrl}/login`, (res) => res.status === 200, 30_000);

    browser = await chromium.launch({
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
    // A new context is a fresh profile: no cookies from earlier runs.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on("pageerror", (err) => pageErrors.push(err.message));
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === "fail" && browser) await shot(`failed-${slug(task.name)}`);
  });

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await Promise.all(processes.map((p) => p.stop()));
    await db?.drop().catch(() => {});
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  function shot(name: string): Promise<Buffer> {
    return page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  function path(): string {
    const url = new URL(page.url());
    return `${url.pathname}${url.search}`;
  }

  it("sends a visitor without a session to the login page", async () => {
    await page.goto(`${adminUrl}/`);
    expect(path()).toBe("/login");
    await page.getByRole("heading", { name: "Strata admin" }).waitFor();
    await shot("01-login");

    await page.goto(`${adminUrl}/tenants?limit=2`);
    expect(path()).toBe(`/login?next=${encodeURIComponent("/tenants?limit=2")}`);
  });

  it("refuses a wrong token with a visible error", async () => {
    await page.goto(`${adminUrl}/login`);
    await page.getByLabel("Operator token").fill("not-the-operator-token");
    await page.getByRole("button", { name: "Sign in" }).click();

    const error = page.getByRole("alert").filter({ hasText: "refused this token" });
    await error.waitFor();
    expect(await error.textContent()).toContain("STRATA_ADMIN_TOKEN");
    expect(path()).toBe("/login");
    expect(await page.context().cookies()).toEqual([]);
    await shot("02-login-refused");
  });

  it("ends a session whose token the API refuses", async () => {
    await page.context().addCookies([
      {
        name: "strata_admin_token",
        value: "stale-token",
        url: adminUrl,
        httpOnly: true,
        sameSite: "Strict",
      },
    ]);
    await page.goto(`${adminUrl}/tenants`);
    await page.waitForURL((url) => url.pathname === "/login");
    expect(path()).toBe("/login?reason=expired");
    await page.getByRole("status").filter({ hasText: "no longer accepts" }).waitFor();
    await shot("03-session-expired");
    await page.context().clearCookies();
  });

  it("signs in with the operator token into an httpOnly, SameSite=Strict session", async () => {
    await page.getByLabel("Operator token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/");

    const cookies = await page.context().cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
  });

  it("shows the API as ready on the overview", async () => {
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.getByRole("status").filter({ hasText: "API ready" }).waitFor();
    const checks = page.getByRole("table", { name: "Readiness checks" });
    expect(await checks.getByRole("row", { name: /database/ }).textContent()).toContain("ok");
    expect(await checks.getByRole("row", { name: /migrations/ }).textContent()).toContain("ok");
    expect(await page.locator(".big-number").textContent()).toBe("3");
    await shot("04-overview");
  });

  it("lists the tenants a page at a time", async () => {
    await page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Tenants" })
      .click();
    await page.waitForURL((url) => url.pathname === "/tenants");
    const table = page.getByRole("table", { name: "Tenants, by name" });
    await table.getByRole("link", { name: "acme-e2e" }).waitFor();
    await expect.poll(() => table.getByRole("row").count(), WAIT).toBe(4);
    expect(await table.textContent()).toContain("active");
    await shot("05-tenants");

    await page.goto(`${adminUrl}/tenants?limit=2`);
    // React reveals streamed content a moment after the load event: wait for it, then count.
    await expect.poll(() => table.getByRole("row").count(), WAIT).toBe(3);
    await page.getByRole("link", { name: "Next page →" }).click();
    await page.waitForURL((url) => url.searchParams.get("after") === "beta-e2e");
    await table.getByRole("link", { name: "gamma-e2e" }).waitFor();
    await expect.poll(() => table.getByRole("row").count(), WAIT).toBe(2);
    await shot("06-tenants-page-2");
  });

  it("shows a tenant with its keys", async () => {
    await page.goto(`${adminUrl}/tenants`);
    await page.getByRole("link", { name: "acme-e2e" }).click();
    await page.waitForURL((url) => url.pathname === `/tenants/${tenant.id}`);
    await page.getByRole("heading", { name: "acme-e2e", level: 1 }).waitFor();
    const key = page.getByRole("table", { name: "API keys" }).getByRole("row", { name: /ci/ });
    const text = await key.textContent();
    expect(text).toContain("streams:read");
    expect(text).toContain("orders.>");
    expect(text).toContain("active");
    await shot("07-tenant");

    await page.goto(`${adminUrl}/tenants/00000000-0000-4000-8000-000000000000`);
    await page.getByRole("heading", { name: "Tenant not found" }).waitFor();
    await page.goto(`${adminUrl}/tenants/not-a-uuid`);
    await page.getByRole("heading", { name: "Tenant not found" }).waitFor();
  });

  it("creates a tenant from the form and explains a taken name", async () => {
    await page.goto(`${adminUrl}/tenants`);
    await page.getByLabel("New tenant name").fill("delta-e2e");
    await page.getByRole("button", { name: "Create tenant" }).click();
    await page.getByRole("heading", { name: "delta-e2e", level: 1 }).waitFor();
    expect(await page.getByRole("table", { name: "API keys" }).count()).toBe(0);
    await page.getByText("This tenant has no API keys yet.").waitFor();
    await shot("08-tenant-created");

    await page.goto(`${adminUrl}/tenants`);
    await page.getByLabel("New tenant name").fill("acme-e2e");
    await page.getByRole("button", { name: "Create tenant" }).click();
    await page.getByRole("alert").filter({ hasText: "already exists" }).waitFor();
    await shot("09-tenant-name-taken");
  });

  it("says where it looked when the API is down", async () => {
    await api.stop();
    await page.goto(`${adminUrl}/`);
    const notice = page.getByRole("alert").filter({ hasText: `API unreachable at ${apiUrl}` });
    await notice.waitFor();
    expect(await notice.textContent()).toContain("npm start");
    await shot("10-api-unreachable");
  });

  it("signs out back to the login page", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    expect(await page.context().cookies()).toEqual([]);
    await page.goto(`${adminUrl}/`);
    expect(path()).toBe("/login");
    await shot("11-signed-out");
  });

  it("explains on the login page that the API is down", async () => {
    await page.getByLabel("Operator token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: `API unreachable at ${apiUrl}` })
      .waitFor();
    expect(await page.context().cookies()).toEqual([]);
    await shot("12-login-api-unreachable");
    expect(pageErrors).toEqual([]);
  });
});

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
