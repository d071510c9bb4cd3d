"use server";

import { type ActionState } from "@/components/confirm-action";
import { field, runAction } from "@/lib/run-action";

/** Asks the node to drain: it stops taking work and hands its resources to the others. */
export async function drainNode(_previous: ActionState, form: FormData): Promise<ActionState> {
  const id = field(form, "id");
  if (!id) return { error: "No node given." };
  return runAction((api) => api.drainNode(id), {
    revalidate: ["/nodes", "/placement"],
    done: "Draining: its resources move to the other nodes.",
  });
}
