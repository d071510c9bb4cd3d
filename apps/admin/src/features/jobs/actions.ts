"use server";

import { type ActionState } from "@/components/confirm-action";
import { field, runAction } from "@/lib/run-action";

export async function retryJob(_previous: ActionState, form: FormData): Promise<ActionState> {
  const [queue, id] = [field(form, "queue"), field(form, "id")];
  return runAction((api) => api.retryJob(queue, id), {
    revalidate: ["/jobs"],
    done: "Queued again.",
  });
}
