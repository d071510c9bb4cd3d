import "server-only";
import { StrataError } from "@strata/client";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { type ActionState } from "@/components/confirm-action";
import { adminClient, describeFailure } from "./admin-api";
import { type OperatorApi } from "./operator-api";

/**
 * Runs a mutation for a server action: on success the listed pages are
 * re-rendered and `done` is said (or made from the call's result); a failure comes back as words for the form;
 * a token the API refuses ends the session.
 */
export async function runAction<T>(
  call: (api: OperatorApi) => Promise<T>,
  options: { revalidate?: readonly string[]; done?: string | ((result: T) => string) } = {},
): Promise<ActionState> {
  const api = await adminClient();
  let result: T;
  try {
    result = await call(api);
  } catch (err) {
    if (err instanceof StrataError && err.status === 401) redirect("/login?reason=expired");
    const failure = describeFailure(err, api.baseUrl);
    return {
      error: [failure.title + ":", failure.message, failure.hint].filter(Boolean).join(" "),
    };
  }
  for (const path of options.revalidate ?? []) revalidatePath(path);
  const { done } = options;
  return { done: typeof done === "function" ? done(result) : (done ?? "Done.") };
}

/** A form field as a string ("" when absent). */
export function field(form: FormData, name: string): string {
  return String(form.get(name) ?? "").trim();
}
