import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The operator token: STRATA_ADMIN_TOKEN when given, else the one stored in
 * `<dataDir>/admin-token` (created, mode 0600, on first start).
 */
export function resolveAdminToken(
  configured: string | undefined,
  dataDir: string,
): { token: string; generated: boolean; file?: string } {
  if (configured) return { token: configured, generated: false };
  const file = join(dataDir, "admin-token");
  try {
    return { token: readFileSync(file, "utf8").trim(), generated: false, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  // 0711: the embedded server runs as `postgres` and must traverse into pg/; nothing is listable.
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  const token = `st_admin_${randomBytes(24).toString("base64url")}`;
  // `wx`: if another node created it a moment ago, fail rather than overwrite.
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token, generated: true, file };
}
