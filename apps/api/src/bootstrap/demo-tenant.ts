import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type KeyAuthenticator, SCOPES, type TenantAdmin, type TenantId } from "@strata/core";

const DEMO_NAME = "demo";

/**
 * The embedded default's demo tenant and a key with every scope, kept in
 * `<dataDir>/demo-key` (0600) so later starts can print it again. A key that
 * no longer works (revoked, tenant deleted) is replaced.
 */
export async function ensureDemoKey(
  admin: TenantAdmin,
  authenticator: KeyAuthenticator,
  dataDir: string,
): Promise<string> {
  const file = join(dataDir, "demo-key");
  const stored = readOptional(file);
  if (stored) {
    try {
      await authenticator.authenticate(stored);
      return stored;
    } catch {
      // Fall through: make a fresh key.
    }
  }
  const tenant =
    (await admin.findTenantByName(DEMO_NAME)) ?? (await admin.createTenant("bootstrap", DEMO_NAME));
  if (tenant.status !== "active")
    await admin.updateTenant("bootstrap", tenant.id, { status: "active" });
  const { secret } = await admin.createKey("bootstrap", tenant.id as TenantId, {
    name: "demo key",
    scopes: [...SCOPES],
  });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}
