import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DashboardHarness, slug } from "./support/dashboard-harness";
import { seedAcme } from "./support/seed";

/** For expect.poll and waitFor: pages stream and refresh, so content lands a little later. */
const WAIT = { timeout: 15_000 };

/**
 * The operator dashboard in a real Chromium against a real two-node cluster
 * (separate node processes on one PostgreSQL and one Redis) with seeded
 * data: sign-in, overview, nodes, placement, the stream and KV browsers,
 * tenants and keys, lag, jobs, documents, and confirmations.
 */
describe("dashboard pages against a two-node cluster", { timeout: 120_000 }, () => {
  let h: DashboardHarness;
  let key: string;

  beforeAll(async () => {
    h = await DashboardHarness.start(2);
    key = await seedAcme(h);
  }, 180_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === "fail" && h) await h.shot(`failed-${slug(task.name)}`);
  });

  afterAll(() => h?.close(), 60_000);

  it("refuses a wrong operator token", async () => {
    await h.goto("/login");
    await h.page.getByLabel("Operator token").fill("not-the-operator-token");
    await h.page.getByRole("button", { name: "Sign in" }).click();
    await h.page.getByRole("alert").filter({ hasText: "refused this token" }).waitFor();
    expect(await h.page.context().cookies()).toEqual([]);
    await h.shot("01-login-refused");
  });

  it("signs in to an overview of the cluster with live throughput", async () => {
    // Traffic in the last minute: acme writes a burst through node 1, globex one message.
    const tenants = await h.api<{ items: { id: string; name: string }[] }>(
      "GET",
      "/v1/admin/tenants",
    );
    const globexId = tenants.body.items.find((t) => t.name === "globex")!.id;
    const globex = (
      await h.api<{ secret: string }>("POST", `/v1/admin/tenants/${globexId}/keys`, {
        name: "pings",
        scopes: ["streams:write"],
      })
    ).body.secret;
    await h.api("PUT", "/v1/streams/pings", {}, { key: globex });
    expect(
      (await h.api("POST", "/v1/streams/pings/messages", "ping", { key: globex, raw: true }))
        .status,
    ).toBe(201);
    await h.api("PUT", "/v1/streams/traffic.burst", {}, { key });
    const burst = { messages: Array.from({ length: 20 }, (_, i) => ({ value_text: `b${i}` })) };
    expect(
      (await h.api("POST", "/v1/streams/traffic.burst/messages", burst, { key, node: 1 })).status,
    ).toBe(201);

    await h.page.getByLabel("Operator token").fill(h.token);
    await h.page.getByRole("button", { name: "Sign in" }).click();
    await h.page.waitForURL((url) => url.pathname === "/");
    await h.page.getByRole("status").filter({ hasText: "2 nodes alive" }).waitFor(WAIT);
    await h.page.getByRole("heading", { name: "Throughput" }).waitFor();
    await h.page.locator(".recharts-surface").first().waitFor(WAIT);
    // Each node samples its own counters; the answering node asks the other for its samples.
    await h.page.getByText("2 nodes reporting").waitFor(WAIT);
    await h.page.getByRole("table", { name: "By bytes stored" }).getByText("acme").waitFor();
    // Summed over both nodes, the tenant that wrote most comes first.
    const byTraffic = h.page.getByRole("table", { name: "By traffic" });
    expect(await byTraffic.getByRole("rowheader").allTextContents()).toEqual(["acme", "globex"]);
    await byTraffic.getByRole("link", { name: "globex" }).waitFor();
    expect(
      await h.page
        .getByRole("table", { name: "By bytes written" })
        .getByRole("rowheader")
        .first()
        .textContent(),
    ).toBe("acme");
    await h.shot("02-overview");
  });

  it("lists both nodes as alive", async () => {
    await h.page
      .getByRole("navigation", { name: "Main" })
      .getByRole("link", { name: "Nodes" })
      .click();
    await h.page.waitForURL((url) => url.pathname === "/nodes");
    for (const name of ["node-0", "node-1"]) {
      const row = h.page.locator(`tr[data-node="${name}"]`).first();
      await row.waitFor(WAIT);
      expect(await row.textContent()).toContain("alive");
      expect(await row.textContent()).toContain("appends/s");
    }
    await h.shot("03-nodes");
  });

  it("shows the owner and epoch of a stream just written, filtered in the URL", async () => {
    await h.api("PUT", "/v1/streams/fresh.one", {}, { key, node: 1 });
    expect(
      (await h.api("POST", "/v1/streams/fresh.one/messages", "hi", { key, node: 1, raw: true }))
        .status,
    ).toBe(201);
    const owner = await h.ownerOf("fresh.one", key);
    await h.goto("/placement?tenant=acme&kind=stream");
    const row = h.page
      .getByRole("table", { name: "Placements" })
      .getByRole("row", { name: /fresh\.one/ });
    await row.waitFor(WAIT);
    const text = (await row.textContent()) ?? "";
    expect(text).toContain(owner.node_id);
    expect(text).toContain(String(owner.epoch));
    expect(await h.page.getByLabel("Kind").inputValue()).toBe("stream");
    expect(await h.page.getByLabel("Tenant (name or id)").inputValue()).toBe("acme");
    await h.page.getByRole("list", { name: "Resources per node" }).waitFor();
    await h.shot("04-placement");
  });

  it("browses the messages of a stream as text, JSON and hex", async () => {
    await h.goto("/streams");
    await h.page.getByRole("table", { name: "Streams" }).getByText("fresh.one").waitFor(WAIT);
    await h.shot("05-streams");
    await h.page.getByRole("link", { name: "orders.eu" }).click();
    await h.page.getByRole("heading", { name: "orders.eu", level: 1 }).waitFor();
    const billing = h.page
      .getByRole("table", { name: "Consumers" })
      .getByRole("row", { name: /billing/ });
    // Acked 1 of 3: two behind, though the stream's owner is the other node.
    expect(await billing.getByRole("cell").nth(1).textContent()).toBe("2");
    const messages = h.page.getByRole("list", { name: "Messages from seq 1" });
    await messages.getByText("plain text order").waitFor();

    await h.page.getByLabel("json").check();
    await h.page.getByRole("button", { name: "Show" }).click();
    await h.page.waitForURL((url) => url.searchParams.get("view") === "json");
    await h.page.getByText('"sku": "A-1"').waitFor(WAIT);
    await h.page.getByRole("heading", { name: "Lag over time" }).waitFor();
    await h.page.locator("#main .recharts-surface").first().waitFor(WAIT);
    await h.shot("06-stream");

    await h.goto("/streams/acme/orders.eu?from_seq=2&limit=1&view=hex");
    const hex = h.page.getByRole("list", { name: "Messages from seq 2" });
    await hex.getByText(/706c 61|70 6c 61 69 6e/).waitFor(WAIT);
    expect(await h.page.locator("li.message").count()).toBe(1);
  });

  it("browses the keys of a bucket by prefix, with history and a live watch", async () => {
    await h.goto("/kv");
    await h.page.getByRole("table", { name: "KV buckets" }).getByText("acme").waitFor(WAIT);
    await h.shot("07-kv-buckets");
    await h.page.getByRole("link", { name: "config" }).click();
    await h.page.getByRole("heading", { name: "config", level: 1 }).waitFor();
    await h.page.getByLabel("Key prefix").fill("app/");
    await h.page.getByRole("button", { name: "Search" }).click();
    await h.page.waitForURL((url) => url.searchParams.get("prefix") === "app/");
    const keys = h.page.getByRole("table", { name: "Keys" });
    await expect.poll(() => keys.getByRole("row").count(), WAIT).toBe(4);
    await keys.getByRole("link", { name: "app/a" }).click();
    await h.page.waitForURL((url) => url.searchParams.get("key") === "app/a");
    await h.page.getByText('"feature": "off"').waitFor(WAIT);
    const history = h.page.getByRole("table", { name: /Revisions of app\/a/ });
    await expect.poll(() => history.getByRole("row").count(), WAIT).toBe(3);

    await h.page.getByRole("status").filter({ hasText: "Watching" }).waitFor(WAIT);
    await h.api("PUT", "/v1/kv/config/keys/app/live", "fresh value", { key, raw: true });
    await h.page
      .getByRole("list", { name: "Changes, newest first" })
      .getByText("app/live")
      .waitFor(WAIT);
    await h.shot("08-kv-bucket");
  });

  it("creates a tenant and a key in the UI, and the key works with the API", async () => {
    await h.goto("/tenants");
    await h.page.getByLabel("New tenant name").fill("initech");
    await h.page.getByRole("button", { name: "Create tenant" }).click();
    await h.page.getByRole("heading", { name: "initech", level: 1 }).waitFor(WAIT);
    await h.page.getByLabel("Key name").fill("ingest");
    await h.page.getByLabel("streams:read").check();
    await h.page.getByLabel("streams:write").check();
    await h.page.getByLabel("Name patterns (optional)").fill("jobs.>");
    await h.page.getByRole("button", { name: "Create key" }).click();
    const secretBox = h.page.getByLabel("New key secret");
    await secretBox.waitFor(WAIT);
    const secret = await secretBox.inputValue();
    expect(secret).toMatch(/^sk_[a-z0-9]{12}_/);
    await h.page.getByRole("button", { name: "Copy" }).click();
    await h.page.getByRole("button", { name: "Copied" }).waitFor();
    await h.page
      .getByRole("table", { name: "API keys" })
      .getByRole("row", { name: /ingest/ })
      .waitFor(WAIT);
    await h.shot("09-tenant-key-created");

    const who = await h.api<{ tenant: { name: string } }>("GET", "/v1/whoami", undefined, {
      key: secret,
    });
    expect(who.body.tenant.name).toBe("initech");
    expect(
      (await h.api("PUT", "/v1/streams/jobs.nightly", {}, { key: secret, node: 1 })).status,
    ).toBe(201);
    expect((await h.api("PUT", "/v1/streams/other", {}, { key: secret })).status).toBe(403);

    await h.page.reload();
    await h.page.getByRole("heading", { name: "Inventory" }).waitFor();
    expect(await h.page.getByLabel("New key secret").count()).toBe(0);
    expect(await h.page.content()).not.toContain(secret);

    // A quota set in the form is shown with its usage.
    await h.page.getByLabel("Messages per second").fill("50");
    await h.page.getByRole("button", { name: "Save quotas" }).click();
    await h.page.getByRole("status").filter({ hasText: "Quotas saved" }).waitFor(WAIT);
    await h.page.getByTestId("quota-usage").getByText("0 of 50").waitFor(WAIT);
    expect(await h.page.getByLabel("Messages per second").inputValue()).toBe("50");

    // Suspending asks first, then the tenant's keys are refused.
    await h.page.getByRole("button", { name: "Suspend…" }).click();
    const dialog = h.page.getByRole("dialog", { name: "Suspend initech?" });
    await dialog.getByRole("button", { name: "Suspend tenant" }).click();
    await h.page.getByRole("button", { name: "Reactivate…" }).waitFor(WAIT);
    await expect
      .poll(async () => (await h.api("GET", "/v1/whoami", undefined, { key: secret })).status, WAIT)
      .toBe(401);
  });

  it("tiers a stream to the object store on demand and shows where its messages now live", async () => {
    await h.api("PUT", "/v1/streams/archive.log", { dedup_window_seconds: 0 }, { key });
    for (const v of ["a1", "a2", "a3"])
      await h.api("POST", "/v1/streams/archive.log/messages", v, { key, raw: true });
    await h.goto("/streams/acme/archive.log");
    const tiers = h.page.getByTestId("stream-tiers");
    await tiers.getByText(/hot 3 messages .* cold 0 messages/).waitFor(WAIT);

    await h.page.getByRole("button", { name: "Tier now…" }).click();
    const dialog = h.page.getByRole("dialog", { name: "Tier archive.log now?" });
    await h.shot("14-confirm-tier");
    await dialog.getByRole("button", { name: "Move to the object store" }).click();
    await h.page
      .getByRole("status")
      .filter({ hasText: "moved 3 messages in 1 segment" })
      .waitFor(WAIT);
    await tiers.getByText(/hot 0 messages .* cold 3 messages in 1 segment/).waitFor(WAIT);
    const read = await h.api<{ messages: unknown[] }>(
      "GET",
      "/v1/streams/archive.log/messages",
      undefined,
      { key },
    );
    expect(read.body.messages).toHaveLength(3);
    await h.page.getByRole("list", { name: "Messages from seq 1" }).getByText("a2").waitFor();
    await h.shot("15-stream-tiered");
  });

  it("purges and deletes a stream only after confirming", async () => {
    await h.goto("/streams/acme/events.0");
    await h.page.getByRole("button", { name: "Purge…" }).click();
    const purge = h.page.getByRole("dialog", { name: "Purge events.0?" });
    await purge.getByRole("button", { name: "Cancel" }).click();
    expect(await purge.isVisible()).toBe(false);
    const read = () =>
      h.api<{ messages: unknown[] }>("GET", "/v1/streams/events.0/messages", undefined, { key });
    expect((await read()).body.messages).toHaveLength(1);

    await h.page.getByRole("button", { name: "Purge…" }).click();
    await purge.waitFor();
    await h.shot("13-confirm-purge");
    await purge.getByRole("button", { name: "Purge every message" }).click();
    await h.page.getByRole("status").filter({ hasText: "Purged" }).waitFor(WAIT);
    expect((await read()).body.messages).toEqual([]);

    await h.page.getByRole("button", { name: "Delete stream…" }).click();
    await h.page
      .getByRole("dialog", { name: "Delete events.0?" })
      .getByRole("button", { name: "Delete the stream" })
      .click();
    await h.page.waitForURL((url) => url.pathname === "/streams");
    expect((await h.api("GET", "/v1/streams/events.0", undefined, { key })).status).toBe(404);
  });

  it("ranks lag, and shows jobs and documents", async () => {
    await h.goto("/lag");
    const row = h.page
      .getByRole("table", { name: "Consumers by lag" })
      .getByRole("row", { name: /billing/ });
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain("orders.eu");
    await h.page.getByText("STRATA_LAG_ALERT_MESSAGES").waitFor();
    await h.shot("10-lag");

    await h.goto("/jobs");
    await h.page
      .getByRole("table", { name: "Queues" })
      .getByRole("row", { name: /heartbeat-monitor/ })
      .waitFor(WAIT);
    await h.shot("11-jobs");

    const acmeId = (
      await h.api<{ items: { id: string; name: string }[] }>("GET", "/v1/admin/tenants")
    ).body.items.find((t) => t.name === "acme")!.id;
    const docsKey = (
      await h.api<{ secret: string }>("POST", `/v1/admin/tenants/${acmeId}/keys`, {
        name: "docs",
        scopes: ["docs:read", "docs:write"],
      })
    ).body.secret;
    const doc = await h.api<{ document_id: string }>(
      "POST",
      "/v1/docs",
      { title: "Runbook" },
      { key: docsKey },
    );
    expect(doc.status).toBe(201);
    await h.goto("/documents");
    await h.page.getByRole("heading", { name: "Documents", level: 1 }).waitFor();
    const docRow = h.page
      .getByRole("table", { name: "Documents" })
      .getByRole("row", { name: new RegExp(doc.body.document_id) });
    await docRow.waitFor(WAIT);
    // Not compacted yet: all change rows, in PostgreSQL.
    expect(await docRow.locator("[data-tier]").getAttribute("data-tier")).toBe("hot");
    const text = (await docRow.textContent()) ?? "";
    expect(text).toContain("no snapshot yet");
    expect(text).toMatch(/\d+ changes? \(/);
    expect(text).toContain("acme");
    await h.shot("12-documents");

    // The document's own page shows its content as JSON.
    await docRow.getByRole("link", { name: doc.body.document_id }).click();
    const content = h.page.getByLabel("Document content as JSON");
    await content.waitFor(WAIT);
    expect(JSON.parse((await content.textContent()) ?? "")).toEqual({ title: "Runbook" });
    await h.shot("12b-document");
  });
});
