"use server";

import { type ActionState } from "@/components/confirm-action";
import { field, runAction } from "@/lib/run-action";

const PAGES = ["/alerts", "/"];

export async function acknowledgeAlert(_p: ActionState, form: FormData): Promise<ActionState> {
  const id = Number(field(form, "id"));
  return runAction((api) => api.acknowledgeAlert(id), { revalidate: PAGES, done: "Acknowledged." });
}

export async function resolveAlert(_p: ActionState, form: FormData): Promise<ActionState> {
  const id = Number(field(form, "id"));
  return runAction((api) => api.resolveAlert(id), { revalidate: PAGES, done: "Resolved." });
}
