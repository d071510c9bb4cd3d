import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "@strata/db/embedded";
import { createTestDatabase, type TestDatabase } from "@strata/db/testing";
import { type NodeProcess, runNode, waitForOk } from "./support/node-process.js";
import { TenantClient, text } from "./support/tenant-client.js";

const procs: NodeProcess[] = [];
let db: TestDatabase | undefined;
afterAll(async () => {
  for (const p of procs) p.child.kill("SIGKILL");
  await db?.drop();
});

async function startNode(
  env: Record<string, string>,
): Promise<{ proc: NodeProcess; base: string }> {
  const port = await freePort();
  const proc = runNode({ ...env, STRATA_PORT: String(port) });
  procs.push(proc);
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/health/ready`, 30_000, proc);
  return { proc, base };
}

describe("crash of the owner (kill -9)", () => {
  it("loses no message acked as durable; the next node continues with dense seqs", async () => {
    db = await createTestDatabase();
    const adminToken = `crash-${randomBytes(12).toString("hex")}`;
    const env = {
      DATABASE_URL: db.url,
      STRATA_ADMIN_TOKEN: adminToken,
      STRATA_LOG_LEVEL: "error",
      STRATA_DEMO: "false",
      STRATA_LEASE_TTL_MS: "2000",
      STRATA_HEARTBEAT_MS: "300",
    };
    const a = await startNode(env);
    const admin = new TenantClient(a.base, adminToken);
    const tenant = await admin.json<{ id: string }>("POST", "/v1/admin/tenants", { name: "crash" });
    const key = await admin.json<{ secret: string }>(
      "POST",
      `/v1/admin/tenants/${tenant.body.id}/keys`,
      {
        name: "k",
        scopes: ["streams:read", "streams:write"],
      },
    );
    const onA = new TenantClient(a.base, key.body.secret);
    await onA.createStream("ledger");

    const acked = new Map<number, string>();
    let stop = false;
    const workers = Array.from({ length: 8 }, async (_, w) => {
      for (let n = 0; !stop; n++) {
        const value = `w${w}-${n}`;
        try {
          const res = await onA.append("ledger", value, { "strata-msg-id": value });
          if (res.status === 201) acked.set(res.body.seq, value);
        } catch {
          return; // the node is gone: this append's outcome is unknown, and it was never acked
        }
      }
    });
    // Kill once enough appends were acked (however long that takes on a busy machine).
    while (acked.size <= 50) await new Promise((r) => setTimeout(r, 20));
    a.proc.child.kill("SIGKILL");
    stop = true;
    await Promise.all(workers);
    expect(acked.size).toBeGreaterThan(50);

    const b = await startNode(env);
    const onB = new TenantClient(b.base, key.body.secret);
    // The dead node's lease runs out by the database clock; until then the stream answers 503 (retryable).
    let next: Awaited<ReturnType<TenantClient["append"]>> | undefined;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      next = await onB.append("ledger", "after-crash");
      if (next.status !== 503) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(next?.status).toBe(201);

    const stored = await onB.readAll("ledger");
    const seqs = stored.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    const bySeq = new Map(stored.map((m) => [m.seq, text(m)]));
    for (const [seq, value] of acked) expect(bySeq.get(seq)).toBe(value);
    const values = stored.map(text);
    expect(new Set(values).size).toBe(values.length);
    expect(next!.body.seq).toBe(seqs[seqs.length - 1]);
  }, 60_000);
});
