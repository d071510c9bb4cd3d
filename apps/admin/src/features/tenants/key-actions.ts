"use server";

import { SCOPES, type Scope, StrataError } from "@strata/client";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { type ActionState } from "@/components/confirm-action";
import { adminClient, describeFailure } from "@/lib/admin-api";
import { field, runAction } from "@/lib/run-action";

export interface CreateKeyState {
  readonly error?: string;
  /** The new key's secret: this response is the only place it ever appears. */
  readonly secret?: string;
  readonly name?: string;
}

/** Creates a key from the form (scopes as checkboxes, patterns one per line or comma). */
export async function createKey(
  _previous: CreateKeyState,
  form: FormData,
): Promise<CreateKeyState> {
  const tenantId = field(form, "tenant_id");
  const name = field(form, "name");
  const scopes = form
    .getAll("scopes")
    .map(String)
    .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  const patterns = field(form, "patterns")
    .split(/[\s,]+/)
    .filter(Boolean);
  const expires = field(form, "expires_at");
  if (!name) return { error: "Name the key (e.g. the service that will use it)." };
  if (scopes.length === 0) return { error: "Tick at least one scope.", name };
  const api = await adminClient();
  try {
    const key = await api.createKey(tenantId, {
      name,
      scopes,
      ...(patterns.length ? { patterns } : {}),
      ...(expires ? { expires_at: new Date(expires).toISOString() } : {}),
    });
    revalidatePath(`/tenants/${tenantId}`);
    return { secret: key.secret, name };
  } catch (err) {
    if (err instanceof StrataError && err.status === 401) redirect("/login?reason=expired");
    if (err instanceof StrataError && err.errors?.length) {
      return { error: err.errors.map((e) => `${e.path}: ${e.message}`).join("; "), name };
    }
    const f = describeFailure(err, api.baseUrl);
    return { error: `${f.title}: ${f.message}`, name };
  }
}

export async function revokeKey(_previous: ActionState, form: FormData): Promise<ActionState> {
  const [tenantId, keyId] = [field(form, "tenant_id"), field(form, "key_id")];
  return runAction((api) => api.revokeKey(tenantId, keyId), {
    revalidate: [`/tenants/${tenantId}`],
    done: "Revoked: requests with it fail within a few seconds.",
  });
}

export async function setTenantStatus(
  _previous: ActionState,
  form: FormData,
): Promise<ActionState> {
  const [tenantId, status] = [field(form, "tenant_id"), field(form, "status")];
  if (status !== "active" && status !== "suspended") return { error: "Unknown status." };
  return runAction((api) => api.updateTenant(tenantId, { status }), {
    revalidate: [`/tenants/${tenantId}`, "/tenants"],
    done: status === "suspended" ? "Suspended: its keys are refused." : "Active again.",
  });
}

export async function deleteTenant(_previous: ActionState, form: FormData): Promise<ActionState> {
  const tenantId = field(form, "tenant_id");
  const result = await runAction((api) => api.deleteTenant(tenantId), { revalidate: ["/tenants"] });
  if (result.error) return result;
  redirect("/tenants");
}
