import "server-only";
import { StrataConnectionError, StrataError } from "@strata/client";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { env } from "@/env";
import { readToken } from "@/features/auth/session";
import { OperatorApi } from "./operator-api";

/**
 * Why a page could not load its data, as plain values a component can render.
 * `hint` says what the operator can do about it.
 */
export interface ApiFailure {
  readonly title: string;
  readonly message: string;
  readonly hint?: string;
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
}

export type Loaded<T> =
  { readonly ok: true; readonly data: T } | { readonly ok: false; readonly failure: ApiFailure };

export const apiUrl = (): string => env.STRATA_API_URL;

/** The admin client for this request, holding the session's token; no session → /login. */
export const adminClient = cache(async (): Promise<OperatorApi> => {
  const token = await readToken();
  if (!token) redirect("/login");
  return new OperatorApi({ baseUrl: env.STRATA_API_URL, token });
});

/**
 * Runs one call against the API for a page. A token the API refuses (401)
 * ends the session at /login; the statuses in `notFoundOn` become Next's not-found page;
 * other failures come back as values for the page to explain.
 */
export async function load<T>(
  call: (api: OperatorApi) => Promise<T>,
  options: { notFoundOn?: readonly number[] } = {},
): Promise<Loaded<T>> {
  const api = await adminClient();
  try {
    return { ok: true, data: await call(api) };
  } catch (err) {
    if (err instanceof StrataError && err.status === 401) redirect("/login?reason=expired");
    if (err instanceof StrataError && options.notFoundOn?.includes(err.status)) {
      notFound();
    }
    return { ok: false, failure: describeFailure(err, api.baseUrl) };
  }
}

/** Turns a client error into words; anything but a client error is a bug and is rethrown. */
export function describeFailure(err: unknown, baseUrl: string): ApiFailure {
  if (err instanceof StrataConnectionError) {
    return err.timedOut
      ? {
          title: "API did not answer in time",
          message: `The Strata API at ${baseUrl} did not answer: ${err.reason}.`,
          hint: "It may be overloaded or stuck; check its logs.",
        }
      : {
          title: "API unreachable",
          message: `API unreachable at ${baseUrl} (${err.reason}).`,
          hint: "Is `npm start` running? The dashboard finds the API through STRATA_API_URL.",
        };
  }
  if (err instanceof StrataError) {
    return {
      title: `${err.status} ${err.title}`,
      message: err.detail || err.message,
      hint:
        err.status >= 500
          ? "The API failed; its logs have the details under the request id."
          : undefined,
      status: err.status,
      code: err.code,
      requestId: err.requestId,
    };
  }
  throw err;
}
