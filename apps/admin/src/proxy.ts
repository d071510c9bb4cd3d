import { type NextRequest, NextResponse } from "next/server";
import { SESSION_COOKIE } from "./features/auth/cookie";

/**
 * Optimistic gate: without a session cookie every page redirects to /login.
 * The real check is the API's: a token it refuses sends the user back to
 * /login from the data layer (src/lib/admin-api.ts).
 */
export function proxy(request: NextRequest): NextResponse {
  if (request.cookies.has(SESSION_COOKIE)) return NextResponse.next();
  const login = new URL("/login", request.url);
  const { pathname, search } = request.nextUrl;
  if (pathname !== "/") login.searchParams.set("next", `${pathname}${search}`);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/((?!login|_next/static|_next/image|favicon.ico).*)"],
};
