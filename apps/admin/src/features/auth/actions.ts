"use server";

import { StrataAdminClient, StrataConnectionError, StrataError } from "@strata/client";
import { redirect } from "next/navigation";
import { env } from "@/env";
import { clearToken, safeNext, storeToken } from "./session";

export interface LoginState {
  readonly error?: string;
}

/**
 * Checks the token by asking the API for its overview, then keeps it in the
 * session cookie. The token is never echoed back to the page.
 */
export async function login(_previous: LoginState, form: FormData): Promise<LoginState> {
  const token = String(form.get("token") ?? "").trim();
  if (!token) return { error: "Enter the operator token." };
  const api = new StrataAdminClient({ baseUrl: env.STRATA_API_URL, token });
  try {
    await api.overview();
  } catch (err) {
    if (err instanceof StrataError && err.status === 401) {
      return {
        error: "The API refused this token. Use the value of STRATA_ADMIN_TOKEN the API runs with.",
      };
    }
    if (err instanceof StrataConnectionError) {
      return {
        error: `API unreachable at ${api.baseUrl} (${err.reason}). Is “npm start” running?`,
      };
    }
    if (err instanceof StrataError) {
      return { error: `The API answered ${err.status} ${err.title}: ${err.message}` };
    }
    throw err;
  }
  await storeToken(token);
  redirect(safeNext(form.get("next")));
}

export async function logout(): Promise<void> {
  await clearToken();
  redirect("/login");
}
