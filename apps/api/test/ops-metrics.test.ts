import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlertStorePg } from "@strata/db";
import { startTestApp, type TestApp } from "./support/test-app.js";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe("operator signals on /metrics (what the CloudWatch alarms watch)", () => {
  it("exports open alerts by kind and the most-behind durable consumer's lag", async () => {
    const alerts = t.app.get(AlertStorePg);
    await alerts.raise({ kind: "node_down", resource: "node:a", message: "a is down" });
    await alerts.raise({ kind: "node_down", resource: "node:b", message: "b is down" });
    await alerts.raise({ kind: "fenced_write", resource: "node:c", message: "refused" });
    await alerts.raise({ kind: "job_failed", resource: "tiering", message: "failed" });
    await alerts.resolveOpen("job_failed", "tiering");

    const { secret } = await t.tenantWithKey(["streams:read", "streams:write"]);
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${t.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await call("PUT", "/v1/streams/jobs", {})).status).toBeLessThan(300);
    const batch = { messages: [1, 2, 3, 4, 5].map((i) => ({ value_text: `m${i}` })) };
    expect((await call("POST", "/v1/streams/jobs/messages", batch)).status).toBeLessThan(300);
    expect((await call("PUT", "/v1/streams/jobs/consumers/billing", {})).status).toBe(201);
    expect((await call("POST", "/v1/streams/jobs/consumers/billing/ack", { seq: 2 })).status).toBe(
      200,
    );

    const text = await (await t.admin("GET", "/metrics")).text();
    expect(text).toContain('strata_alerts_open{kind="node_down"} 2');
    expect(text).toContain('strata_alerts_open{kind="fenced_write"} 1');
    // Resolved alerts do not count; kinds with none open report 0, so an alarm can clear.
    expect(text).toContain('strata_alerts_open{kind="job_failed"} 0');
    expect(text).toContain('strata_alerts_open{kind="split_brain"} 0');
    expect(text).toContain("strata_consumer_lag_max_messages 3");
  });
});
