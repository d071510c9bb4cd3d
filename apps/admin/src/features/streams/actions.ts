"use server";

import { redirect } from "next/navigation";
import { type ActionState } from "@/components/confirm-action";
import { field, runAction } from "@/lib/run-action";

export async function purgeStream(_previous: ActionState, form: FormData): Promise<ActionState> {
  const [tenant, name] = [field(form, "tenant"), field(form, "name")];
  return runAction((api) => api.purgeStream(tenant, name), {
    revalidate: ["/streams", `/streams/${encodeURIComponent(tenant)}/${encodeURIComponent(name)}`],
    done: "Purged: every message is gone; new ones continue after the last seq.",
  });
}

export async function deleteStream(_previous: ActionState, form: FormData): Promise<ActionState> {
  const [tenant, name] = [field(form, "tenant"), field(form, "name")];
  const result = await runAction((api) => api.deleteStream(tenant, name), {
    revalidate: ["/streams"],
  });
  if (result.error) return result;
  redirect(`/streams?tenant=${encodeURIComponent(tenant)}`);
}
