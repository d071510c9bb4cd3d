"use server";

import { redirect } from "next/navigation";
import { type ActionState } from "@/components/confirm-action";
import { formatBytes, formatNumber } from "@/lib/format";
import { field, runAction } from "@/lib/run-action";
import { streamHref } from "./stream-table";

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

/** Tiers everything outside the dedup window now, and says what moved. */
export async function tierStream(_previous: ActionState, form: FormData): Promise<ActionState> {
  const [tenant, name] = [field(form, "tenant"), field(form, "name")];
  return runAction((api) => api.tierStream(tenant, name), {
    revalidate: ["/streams", streamHref(tenant, name)],
    done: (r) =>
      r.messages === 0
        ? "Tiered: nothing to move (every message is within the dedup window or already cold)."
        : `Tiered: moved ${formatNumber(r.messages)} messages in ${formatNumber(r.segments)} segment${r.segments === 1 ? "" : "s"} (${formatBytes(r.object_bytes)}) to the object store.`,
  });
}
