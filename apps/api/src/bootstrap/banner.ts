import { type AppConfig } from "../config/env.js";

export interface BannerFacts {
  readonly config: AppConfig;
  readonly adminToken: string;
  readonly adminTokenGenerated: boolean;
  readonly demoKey: string | undefined;
  readonly embedded: boolean;
  readonly dataDir: string;
}

/** What a person needs after `npm start`: where things are and the credentials to try them. */
export function printBanner(f: BannerFacts): void {
  const api = `http://localhost:${f.config.port}`;
  const lines = [
    "",
    "  Strata is running",
    `    API          ${api}   (docs: ${api}/docs)`,
    `    Admin        ${f.config.adminUrl}`,
    `    Database     ${f.embedded ? `embedded PostgreSQL, data in ${f.dataDir}/pg` : "DATABASE_URL"}`,
  ];
  if (!f.config.adminToken) {
    lines.push(
      `    Operator     ${f.adminToken}   (${f.adminTokenGenerated ? "generated, " : ""}stored in ${f.dataDir}/admin-token)`,
    );
  }
  if (f.demoKey) {
    lines.push(`    Demo key     ${f.demoKey}`);
    lines.push("", `    Try: curl -H "Authorization: Bearer ${f.demoKey}" ${api}/v1/whoami`);
  }
  lines.push("    Stop with Ctrl-C.", "");
  process.stdout.write(`${lines.join("\n")}\n`);
}
