"use server";

import { StrataError } from "@strata/client";
import { redirect } from "next/navigation";
import { adminClient, describeFailure } from "@/lib/admin-api";

export interface CreateTenantState {
  readonly error?: string;
  /** What was typed, so a refused name can be corrected instead of retyped. */
  readonly name?: string;
}

/** Creates a tenant and opens its page; the API validates the name and reports conflicts. */
export async function createTenant(
  _previous: CreateTenantState,
  form: FormData,
): Promise<CreateTenantState> {
  const name = String(form.get("name") ?? "").trim();
  if (!name) return { error: "Enter a name for the tenant.", name };
  const api = await adminClient();
  let id: string;
  try {
    id = (await api.createTenant(name)).id;
  } catch (err) {
    if (err instanceof StrataError && err.status === 401) redirect("/login?reason=expired");
    return { error: createError(err, name, api.baseUrl), name };
  }
  redirect(`/tenants/${encodeURIComponent(id)}`);
}

function createError(err: unknown, name: string, baseUrl: string): string {
  if (err instanceof StrataError && err.status === 409) {
    return `A tenant named “${name}” already exists. Pick another name.`;
  }
  if (err instanceof StrataError && err.errors?.length) {
    return err.errors.map((e) => `${e.path === "name" ? "Name" : e.path}: ${e.message}`).join("; ");
  }
  const failure = describeFailure(err, baseUrl);
  return [failure.message, failure.hint].filter(Boolean).join(" ");
}
