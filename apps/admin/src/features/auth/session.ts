import "server-only";
import { cookies, headers } from "next/headers";
import { SESSION_COOKIE } from "./cookie";

/** An operator session lasts a working day; then the token is asked for again. */
const MAX_AGE_SECONDS = 12 * 60 * 60;

export async function readToken(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value || undefined;
}

/** Only from a server action or route handler: cookies cannot be set while rendering. */
export async function storeToken(token: string): Promise<void> {
  const proto = (await headers()).get("x-forwarded-proto") ?? "";
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "strict",
    secure: proto.includes("https"),
    path: "/",
    maxAge: MAX_AGE_SECONDS,
  });
}

export async function clearToken(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}

/**
 * Where to go after logging in: a path on this site only, so a crafted
 * `?next=//evil.example` cannot turn the login page into an open redirect.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return "/";
  if (value.startsWith("/\\") || value.startsWith("/login")) return "/";
  return value;
}
