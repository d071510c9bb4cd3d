"use server";

import { StrataError, type TenantQuotas } from "@strata/client";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { adminClient, describeFailure } from "@/lib/admin-api";
import { field } from "@/lib/run-action";
import { QUOTA_FIELDS } from "./quota-fields";

export interface QuotaFormState {
  readonly error?: string;
  readonly done?: string;
}

/** Replaces the tenant's quotas from the form; an empty field means unlimited. */
export async function saveQuotas(
  _previous: QuotaFormState,
  form: FormData,
): Promise<QuotaFormState> {
  const tenantId = field(form, "tenant_id");
  const quotas: Record<string, number> = {};
  for (const { name } of QUOTA_FIELDS) {
    const value = field(form, name);
    // Left for the API to judge: a non-number comes back as a 400 naming the field.
    if (value) quotas[name] = Number(value);
  }
  const api = await adminClient();
  try {
    await api.setQuotas(tenantId, quotas as TenantQuotas);
  } catch (err) {
    if (err instanceof StrataError && err.status === 401) redirect("/login?reason=expired");
    if (err instanceof StrataError && err.errors?.length) {
      const label = (path: string) => QUOTA_FIELDS.find((f) => f.name === path)?.label ?? path;
      return { error: err.errors.map((e) => `${label(e.path)}: ${e.message}`).join("; ") };
    }
    const f = describeFailure(err, api.baseUrl);
    return { error: `${f.title}: ${f.message}` };
  }
  revalidatePath(`/tenants/${tenantId}`);
  return { done: "Quotas saved: every node applies them within a few seconds." };
}
